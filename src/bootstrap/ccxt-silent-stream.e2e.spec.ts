/**
 * A user-data socket that stays open but goes silent (no error, pings answered, no events): a
 * fill stayed unseen for minutes while the account said "connected". Through the real ccxt client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorState } from '../adapters/exchanges/ccxt/index.js';
import { cleanupTempDirs, fetchJson, waitUntil } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, expectFilledOnce, orderOf, rig, types } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

describe('a fill stream that goes silent while connected', () => {
  it('the REST audit records the fill, the stream is reported as reconnecting and recycled, then connected again', async () => {
    const r = await rig({ orderType: 'limit', fillStreamAuditMs: 1000 });
    const connection = async () => (await fetchJson<{ stream: string }>(r.server.runtime, `/api/v1/accounts/${ACCOUNT}/connection`)).body;
    const id = await orderOf(r, await alert(r, 'silent-limit'));
    await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'the limit order to rest on the exchange');
    await waitUntil(async () => (await connection()).stream === 'connected', 'the fill stream to be connected', 60_000);

    const states: MonitorState[] = [];
    r.server.runtime.ccxt()!.onMonitorStateChange((accountId, state) => {
      if (accountId === ACCOUNT) states.push(state);
    });
    await waitUntil(() => r.sandbox.faults.silenceUserDataStreams() > 0, 'the stream to go silent');
    r.feed.setPrice('BTC/USDT', '90000'); // crosses the limit (5 % below 97,000): it fills, and the stream says nothing

    expect(await expectFilledOnce(r, id, 30_000)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    await waitUntil(() => r.server.logs.text().includes('order stream silent'), 'the silent stream to be noticed', 30_000);
    await waitUntil(() => states.includes('polling'), 'the account not to claim a healthy stream while it is replaced');
    // a fresh stream, which carries events again
    await waitUntil(async () => (await connection()).stream === 'connected', 'the new stream to be connected', 60_000);
    expect(states.at(-1)).toBe('streaming');
  }, 180_000);
});
