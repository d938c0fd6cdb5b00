import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchCredential } from './credential-watch.js';
import type { Principal } from '../../../application/ports/auth.js';

afterEach(() => {
  vi.useRealTimers();
});

const principal = (expiresAt?: number): Principal => ({ userId: 'u1', tenantId: 't1', role: 'viewer', via: expiresAt === undefined ? 'api_key' : 'token', ...(expiresAt !== undefined ? { expiresAt } : {}) });

describe('watchCredential', () => {
  it("checks an access token again when it expires, and ends the stream then (not before)", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    let valid = true;
    const reasons: string[] = [];
    const auth = { authenticate: vi.fn(async () => (valid ? principal(1_000_000 + 900_000) : ('TOKEN_EXPIRED' as const))) };
    watchCredential({ auth, bearer: 't', principal: principal(1_000_000 + 900_000), onInvalid: (r) => reasons.push(r), recheckMs: 3_600_000 });
    await vi.advanceTimersByTimeAsync(899_000);
    expect(auth.authenticate).not.toHaveBeenCalled();
    valid = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(auth.authenticate).toHaveBeenCalledTimes(1);
    expect(reasons).toEqual(['TOKEN_EXPIRED']);
  });

  it('checks a credential without expiry every recheckMs, until it fails or the watch stops', async () => {
    vi.useFakeTimers({ now: 0 });
    const reasons: string[] = [];
    let calls = 0;
    const auth = { authenticate: async () => (++calls < 3 ? principal() : ('INVALID_TOKEN' as const)) };
    watchCredential({ auth, bearer: 'pk_x', principal: principal(), onInvalid: (r) => reasons.push(r), recheckMs: 1_000 });
    await vi.advanceTimersByTimeAsync(2_500);
    expect(reasons).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reasons).toEqual(['INVALID_TOKEN']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(3); // no more checks once it failed

    let later = 0;
    const stop = watchCredential({ auth: { authenticate: async () => (later++, principal()) }, bearer: 'pk_y', principal: principal(), onInvalid: () => undefined, recheckMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_500);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(later).toBe(1);
  });
});
