import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from './verified-tokens.js';

describe('VerifiedTokens', () => {
  it('answers a kept token only inside its time window (exp <= now is expired, nbf > now not yet valid), then forgets it', () => {
    const tokens = new VerifiedTokens(10);
    tokens.keep('t', { sub: 'u', exp: 100 });
    expect(tokens.get('t', 99)).toEqual({ sub: 'u', exp: 100 });
    expect(tokens.get('t', 100)).toBeUndefined();
    expect(tokens.size).toBe(0);
    expect(tokens.get('t', 50)).toBeUndefined(); // forgotten: verified in full again
    tokens.keep('n', { exp: 100, nbf: 60 });
    expect(tokens.get('n', 59)).toBeUndefined();
    tokens.keep('n', { exp: 100, nbf: 60 });
    expect(tokens.get('n', 60)).toBeDefined();
    tokens.keep('x', { sub: 'u' }); // no exp: never answered from memory
    expect(tokens.get('x', 0)).toBeUndefined();
  });

  it('keeps a frozen copy, at most max, the oldest going first', () => {
    const tokens = new VerifiedTokens(2);
    const payload = { exp: 10 };
    tokens.keep('a', payload);
    payload.exp = 99;
    expect(tokens.get('a', 5)).toEqual({ exp: 10 });
    expect(Object.isFrozen(tokens.get('a', 5))).toBe(true);
    tokens.keep('b', { exp: 10 });
    tokens.keep('c', { exp: 10 });
    expect(tokens.get('a', 5)).toBeUndefined();
    expect(tokens.get('c', 5)).toBeDefined();
    expect(new VerifiedTokens(0).size).toBe(0);
  });
});
