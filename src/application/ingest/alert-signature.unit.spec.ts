import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, parseSigning, signAlert, UNREADABLE_SIGNING, type WebhookSigning } from './alert-signature.js';

const key = 'a'.repeat(64);
const signing: WebhookSigning = { key, required: false, createdAt: '2026-12-06T00:00:00.000Z' };
const now = Date.parse('2026-12-06T12:00:00.000Z');
const t = Math.floor(now / 1000);
const body = Buffer.from('{"secret":"s","action":"buy","ticker":"BINANCE:BTCUSDT","comment":"ü"}', 'utf8');

describe('alert signatures', () => {
  it('HMAC-SHA256 over "<t>.<raw bytes>" with the key as written; several v1 values: any one may match', () => {
    const header = signAlert(key, t, body);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', key).update(`${t}.`).update(body).digest('hex')}`);
    expect(checkSignature(header, body, signing, now)).toBeUndefined();
    expect(checkSignature(`${header},v1=${'0'.repeat(64)}`, body, signing, now)).toBeUndefined();
    expect(checkSignature(`t=${t},v1=${'0'.repeat(64)},${header.split(',')[1]}`, body, signing, now)).toBeUndefined();
  });

  it('refuses another body, another key, a time beyond 5 minutes either way, and malformed headers', () => {
    const refused = (header: string | undefined, s: WebhookSigning | undefined = signing) => checkSignature(header, body, s, now)?.code;
    expect(refused(signAlert(key, t, Buffer.concat([body, Buffer.from(' ')])))).toBe('INVALID_SIGNATURE');
    expect(refused(signAlert('b'.repeat(64), t, body))).toBe('INVALID_SIGNATURE');
    expect(refused(signAlert(key, t - 300, body))).toBeUndefined();
    expect(refused(signAlert(key, t - 301, body))).toBe('INVALID_SIGNATURE');
    expect(refused(signAlert(key, t + 301, body))).toBe('INVALID_SIGNATURE');
    for (const bad of ['garbage', `t=${t}`, `t=${t},v1=abc`, `t=${t},v0=${'0'.repeat(64)}`, `v1=${'0'.repeat(64)},t=${t}`, `t=-1,v1=${'0'.repeat(64)}`]) expect(refused(bad)).toBe('INVALID_SIGNATURE');
    expect(refused(undefined)).toBeUndefined(); // not required
    expect(refused(undefined, { ...signing, required: true })).toBe('SIGNATURE_REQUIRED');
    expect(checkSignature('garbage', body, undefined, now)).toBeUndefined(); // no key: the secret authenticated it
  });

  it('a stored setting that cannot be read refuses everything (never fails open)', () => {
    expect(parseSigning(undefined)).toBeUndefined();
    expect(parseSigning('unreadable')).toBe(UNREADABLE_SIGNING);
    expect(parseSigning(JSON.stringify({ ...signing, key: '' }))).toBe(UNREADABLE_SIGNING);
    expect(parseSigning(JSON.stringify(signing))).toEqual(signing);
    // an empty key would be guessable: a signature made with it is refused too
    expect(checkSignature(signAlert('', t, body), body, UNREADABLE_SIGNING, now)?.code).toBe('INVALID_SIGNATURE');
    expect(checkSignature(undefined, body, UNREADABLE_SIGNING, now)?.code).toBe('INVALID_SIGNATURE');
  });
});
