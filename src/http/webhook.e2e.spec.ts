/**
 * The webhook contract over real HTTP: accepted bodies, idempotency, authentication, every
 * class of bad input (status, stable error code, and what the log holds afterwards), a burst
 * of concurrent duplicates, and that the strategy secret never leaks into answers or logs.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer,
  type AlertAnswer, type ErrorAnswer, type HttpResult, type OrderView, type Page, type SignalView, type TestServer,
} from '../../test/support/server.js';

let server: TestServer;
let secret: string;
let accountId: string;
/** every answer body this file received, checked for the secret at the end */
const answers: string[] = [];

const post = async (body: string | object, options: Parameters<typeof postAlert>[2] = {}): Promise<HttpResult<AlertAnswer>> => {
  const result = await postAlert(server.runtime, body, options);
  answers.push(result.text);
  return result;
};
const get = async <T>(path: string): Promise<HttpResult<T>> => {
  const result = await fetchJson<T>(server.runtime, path);
  answers.push(result.text);
  return result;
};

let idCounter = 0;
/** a valid alert with a unique explicit id (so tests never dedupe against each other by accident) */
const uniqueAlert = (fields: Record<string, string> = {}): Record<string, string> => marketAlert(secret, { id: `webhook-spec-${++idCounter}`, ...fields });

beforeAll(async () => {
  server = await startTestServer({ logLevel: 'debug' });
  const demo = demoOf(server.runtime);
  secret = demo.secret;
  accountId = demo.accountId;
  server.runtime.feed.setPrice('BTC/USDT', '97000');
});

afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

describe('accepted alerts', () => {
  it('accepts a JSON body with 202 and a signal id once it is in the log', async () => {
    const before = await quiesce(server.runtime);
    const res = await post(uniqueAlert());
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('accepted');
    expect(res.body.signalId).toMatch(/^sig_/);
    const appended = await server.runtime.events.readAll(before, 10);
    expect(appended[0]).toMatchObject({ type: 'SignalReceived', data: { signalId: res.body.signalId } });
  });

  it('accepts the same JSON text sent as text/plain', async () => {
    const res = await post(JSON.stringify(uniqueAlert()), { contentType: 'text/plain' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('accepted');
  });

  it('accepts a body with an unusual content type (TradingView sends whatever the message is)', async () => {
    const res = await post(JSON.stringify(uniqueAlert()), { contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(202);
  });

  it('accepts KEY=VALUE text (OctoBot style) as text/plain', async () => {
    const res = await post(`SECRET=${secret}\nSYMBOL=BTCUSDT\nSIGNAL=BUY\nQTY=0.001\nID=webhook-spec-kv`, { contentType: 'text/plain' });
    expect(res.status).toBe(202);
    await server.runtime.settle();
    const signal = await get<SignalView>(`/api/v1/signals/${res.body.signalId}`);
    expect(signal.body.format).toBe('octobot-kv');
    expect(signal.body.signal).toMatchObject({ action: 'buy', symbol: 'BTC/USDT', quantity: '0.001' });
  });

  it('accepts a body of exactly 64 KiB (the limit is inclusive)', async () => {
    const base = JSON.stringify({ ...uniqueAlert(), padding: '' });
    const padded = base.replace('"padding":""', `"padding":"${'p'.repeat(64 * 1024 - base.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(64 * 1024);
    const res = await post(padded, { contentType: 'application/json; charset=utf-8' });
    expect(res.status, res.text).toBe(202);
  });

  it('takes the secret from ?token= when the body has none', async () => {
    const { secret: _omit, ...noSecret } = uniqueAlert();
    const res = await post(noSecret, { token: secret });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('accepted');
  });

  it('answers a repeat of the same body with 200, status duplicate and the original signal id; records only the repeat, shown on the signal', async () => {
    const body = JSON.stringify(marketAlert(secret, { quantity: '0.002', comment: 'no explicit id: deduped by body hash' }));
    const first = await post(body, { contentType: 'application/json' });
    expect(first.status).toBe(202);
    const head = await quiesce(server.runtime);
    const again = await post(body, { contentType: 'application/json' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ signalId: first.body.signalId, status: 'duplicate' });
    await quiesce(server.runtime);
    expect((await server.runtime.events.readAll(head, 100)).map((e) => [e.type, e.streamId])).toEqual([['AlertRepeated', `repeats-${first.body.signalId}`]]);
    const signal = await get<SignalView>(`/api/v1/signals/${first.body.signalId}`);
    expect(signal.body.repeats).toEqual({ count: 1, lastAt: expect.any(String), firstAt: expect.any(String) });
    expect(signal.body.outcome).toBe('accepted');
    expect(signal.body.orders).toHaveLength(1);
  });

  it('answers the same explicit id with a different body as a duplicate of the original', async () => {
    const first = await post(marketAlert(secret, { id: 'explicit-id-1', quantity: '0.003' }));
    expect(first.status).toBe(202);
    const head = await quiesce(server.runtime);
    const again = await post(marketAlert(secret, { id: 'explicit-id-1', quantity: '0.004', action: 'sell' }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ signalId: first.body.signalId, status: 'duplicate' });
    await quiesce(server.runtime);
    expect((await server.runtime.events.readAll(head, 100)).map((e) => e.type)).toEqual(['AlertRepeated']);
  });
});

describe('bad input that is not authenticated or not readable appends nothing', () => {
  const cases: { name: string; send: () => Promise<HttpResult<AlertAnswer>>; status: number; code: string }[] = [
    { name: 'malformed JSON', send: () => post(`{"secret":"${secret}","action":"buy",`, { contentType: 'application/json' }), status: 400, code: 'MALFORMED_BODY' },
    { name: 'malformed JSON sent as text/plain', send: () => post(`{"secret": "${secret}" "action": "buy"}`, { contentType: 'text/plain' }), status: 400, code: 'MALFORMED_BODY' },
    { name: 'an empty body', send: () => post('', { contentType: 'text/plain' }), status: 400, code: 'MALFORMED_BODY' },
    { name: 'a wrong secret', send: () => post(marketAlert('not-the-secret-0123456789')), status: 401, code: 'INVALID_SECRET' },
    { name: 'a wrong ?token=', send: () => post({ action: 'buy', ticker: 'BTCUSDT', quantity: '0.01' }, { token: 'wrong-token-0123456789' }), status: 401, code: 'INVALID_SECRET' },
    { name: 'a missing secret', send: () => post({ action: 'buy', ticker: 'BTCUSDT', quantity: '0.01' }), status: 401, code: 'MISSING_SECRET' },
    {
      name: 'JSON nested deeper than 8 levels',
      send: () => post(JSON.stringify({ ...marketAlert(secret), a: { b: { c: { d: { e: { f: { g: { h: {} } } } } } } } }), { contentType: 'application/json' }),
      status: 400,
      code: 'BODY_TOO_DEEP',
    },
    { name: 'an unknown strategy (answered like a wrong secret: ids cannot be probed)', send: () => post(marketAlert(secret), { strategyId: 'strat_nope' }), status: 401, code: 'INVALID_SECRET' },
    {
      name: 'a body of 65 KiB',
      send: () => post(JSON.stringify({ ...marketAlert(secret), padding: 'x'.repeat(65 * 1024) }), { contentType: 'application/json' }),
      status: 413,
      code: 'BODY_TOO_LARGE',
    },
    {
      name: 'a text body of 65 KiB',
      send: () => post(`SECRET=${secret}\nSYMBOL=BTCUSDT\nSIGNAL=BUY\nPAD=${'y'.repeat(65 * 1024)}`, { contentType: 'text/plain' }),
      status: 413,
      code: 'BODY_TOO_LARGE',
    },
  ];

  it('more than 256 fields -> 4xx TOO_MANY_FIELDS, log unchanged', async () => {
    const head = await quiesce(server.runtime);
    const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 'x']));
    const res = await post({ ...marketAlert(secret), ...fields });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((res.body as ErrorAnswer).error.code).toBe('TOO_MANY_FIELDS');
    await quiesce(server.runtime);
    expect(await server.runtime.events.headPosition()).toBe(head);
  });

  for (const c of cases) {
    it(`${c.name} -> ${c.status} ${c.code}, log unchanged`, async () => {
      const head = await quiesce(server.runtime);
      const res = await c.send();
      expect(res.status).toBe(c.status);
      expect((res.body as ErrorAnswer).error.code).toBe(c.code);
      expect(typeof (res.body as ErrorAnswer).error.message).toBe('string');
      expect((res.body as ErrorAnswer).error.signalId).toBeUndefined();
      await quiesce(server.runtime);
      expect(await server.runtime.events.headPosition()).toBe(head);
    });
  }
});

describe('authenticated but invalid alerts are kept as one SignalRejected audit record', () => {
  const staleTime = () => new Date(Date.now() - 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const cases: { name: string; fields: () => Record<string, string>; code: string }[] = [
    { name: 'an unknown symbol', fields: () => ({ ticker: 'BINANCE:DOGEUSDT' }), code: 'UNKNOWN_SYMBOL' },
    { name: 'a negative quantity', fields: () => ({ quantity: '-1' }), code: 'INVALID_QUANTITY' },
    { name: 'a zero quantity', fields: () => ({ quantity: '0' }), code: 'INVALID_QUANTITY' },
    { name: 'an absurd quantity (1e12)', fields: () => ({ quantity: '1e12' }), code: 'INVALID_QUANTITY' },
    { name: 'an unresolved {{placeholder}}', fields: () => ({ quantity: '{{strategy.order.contracts}}' }), code: 'UNRESOLVED_PLACEHOLDER' },
    { name: 'a stale {{timenow}} (older than 300 s)', fields: () => ({ timenow: staleTime() }), code: 'STALE_SIGNAL' },
    { name: 'a {{timenow}} 10 minutes in the future', fields: () => ({ timenow: new Date(Date.now() + 600_000).toISOString() }), code: 'CLOCK_SKEW' },
    { name: 'an unknown action', fields: () => ({ action: 'moon' }), code: 'INVALID_ACTION' },
  ];

  for (const c of cases) {
    it(`${c.name} -> 422 ${c.code}, one SignalRejected, visible as rejected`, async () => {
      const head = await quiesce(server.runtime);
      const fields = c.fields();
      const res = await post(uniqueAlert(fields));
      expect(res.status).toBe(422);
      const error = (res.body as ErrorAnswer).error;
      expect(error.code).toBe(c.code);
      expect(error.signalId).toMatch(/^sig_/);

      await quiesce(server.runtime);
      const appended = await server.runtime.events.readAll(head, 100);
      expect(appended.map((e) => e.type)).toEqual(['SignalRejected']);
      expect(appended[0]!.data).toMatchObject({ signalId: error.signalId, code: c.code });

      const one = await get<SignalView>(`/api/v1/signals/${error.signalId}`);
      expect(one.status).toBe(200);
      expect(one.body.outcome).toBe('rejected');
      expect(one.body.rejection?.code).toBe(c.code);
      expect(one.body.orders).toEqual([]);
      // what was received is shown (issue 20), never the secret
      const received = (one.body as SignalView & { received?: Record<string, string> }).received ?? {};
      for (const [k, v] of Object.entries(fields)) expect(received[k], k).toBe(v);
      expect(JSON.stringify(received)).not.toMatch(/secret/i);

      const list = await get<Page<SignalView>>('/api/v1/signals?limit=5');
      const listed = list.body.items.find((s) => s.signalId === error.signalId);
      expect(listed?.outcome).toBe('rejected');
      expect(listed?.rejection?.code).toBe(c.code);
    });
  }

  it('malformed JSON authenticated by ?token= is kept as an audit record (authenticated wins over unparseable)', async () => {
    const head = await quiesce(server.runtime);
    const res = await post('{"action":"buy","ticker":', { contentType: 'application/json', token: secret });
    expect(res.status).toBe(400);
    const error = (res.body as ErrorAnswer).error;
    expect(error.code).toBe('MALFORMED_BODY');
    expect(error.signalId).toMatch(/^sig_/);
    await quiesce(server.runtime);
    const appended = await server.runtime.events.readAll(head, 100);
    expect(appended.map((e) => e.type)).toEqual(['SignalRejected']);
  });

  // BUG (reported): a repeat of a refused-but-recorded alert answers 200 {status:"duplicate"}, so the
  // same bad input gets a 2xx the second time instead of the same clear 4xx and code.
  it('a rejected alert sent again gets the original refusal again (same 4xx, code and signalId), and no second record', async () => {
    const body = uniqueAlert({ quantity: '-5' });
    const first = await post(body);
    expect(first.status).toBe(422);
    const original = (first.body as ErrorAnswer).error;
    const head = await quiesce(server.runtime);
    const again = await post(body);
    await quiesce(server.runtime);
    expect((await server.runtime.events.readAll(head, 100)).map((e) => e.type)).toEqual(['AlertRepeated']); // no second record of the alert itself
    expect(again.status).toBe(422);
    expect((again.body as ErrorAnswer).error).toMatchObject({ code: 'INVALID_QUANTITY', signalId: original.signalId });
  });

  it('a rejected alert sent again appends no second record and names the original signal id', async () => {
    const body = uniqueAlert({ quantity: '-6' });
    const first = await post(body);
    expect(first.status).toBe(422);
    const head = await quiesce(server.runtime);
    const again = await post(body);
    expect(again.text).toContain((first.body as ErrorAnswer).error.signalId!);
    await quiesce(server.runtime);
    expect((await server.runtime.events.readAll(head, 100)).map((e) => e.type)).toEqual(['AlertRepeated']);
  });
});

describe('concurrency', () => {
  it('50 concurrent identical alerts -> one 202, 49 duplicates with the same id, one order at the exchange', async () => {
    const body = JSON.stringify(marketAlert(secret, { quantity: '0.001', comment: 'burst of 50' }));
    const results = await Promise.all(Array.from({ length: 50 }, () => post(body, { contentType: 'application/json' })));
    const accepted = results.filter((r) => r.status === 202);
    const duplicates = results.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(1);
    expect(duplicates).toHaveLength(49);
    const signalId = accepted[0]!.body.signalId!;
    for (const d of duplicates) expect(d.body).toEqual({ signalId, status: 'duplicate' });

    await quiesce(server.runtime);
    // every repeat is on the signal, none lost to the burst
    expect((await get<SignalView>(`/api/v1/signals/${signalId}`)).body.repeats?.count).toBe(49);
    const orders = await get<Page<OrderView>>(`/api/v1/orders?signalId=${signalId}`);
    expect(orders.body.items).toHaveLength(1);
    const order = orders.body.items[0]!;
    expect(order.status).toBe('filled');
    expect(server.runtime.exchange.placementAttempts(accountId, order.clientOrderId)).toBe(1);
    const atExchange = await server.runtime.exchange.fetchOrder(accountId, order.clientOrderId);
    expect(atExchange?.status).toBe('filled');
    const received = (await server.runtime.events.readByCorrelation(signalId)).filter((e) => e.type === 'SignalReceived' || e.type === 'OrderApproved');
    expect(received.filter((e) => e.type === 'SignalReceived')).toHaveLength(1);
    expect(received.filter((e) => e.type === 'OrderApproved')).toHaveLength(1);
  });
});

describe('the secret never leaks', () => {
  it('appears in no answer body and no log line of this whole file', async () => {
    // make sure the info/debug paths ran at least once more: metrics, signals, strategies
    answers.push((await get<unknown>('/api/v1/strategies')).text);
    answers.push((await get<unknown>('/metrics')).text);
    const signals = await get<Page<SignalView>>('/api/v1/signals?limit=500');
    for (const sig of signals.body.items) answers.push((await get<unknown>(`/api/v1/signals/${sig.signalId}/trace`)).text);
    await quiesce(server.runtime);
    // nor in the event log (the body is kept only as its sha256)
    const events = await server.runtime.events.readAll(0, 100_000);
    expect(events.length).toBeGreaterThan(30);
    for (const e of events) expect(JSON.stringify([e.data, e.metadata])).not.toContain(secret);
    expect(answers.length).toBeGreaterThan(30);
    for (const text of answers) expect(text).not.toContain(secret);
    const logs = server.logs.text();
    expect(logs).not.toContain(secret);
    // the wrong secrets sent above are never echoed either
    for (const text of answers) expect(text).not.toContain('not-the-secret-0123456789');
    expect(logs).not.toContain('not-the-secret-0123456789');
    expect(logs).not.toContain('wrong-token-0123456789');
  });
});
