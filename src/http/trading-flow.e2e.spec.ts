/**
 * Alert -> risk -> order -> paper fill -> portfolio, over real HTTP. Prices are driven by hand
 * (manual feed); every money figure is checked with decimal arithmetic, never binary floats.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Dec, decToString } from '../domain/shared/decimal.js';
import { clientOrderIdFor } from '../application/shared/client-order-id.js';
import {
  cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, waitUntil,
  type BalanceView, type ErrorAnswer, type FillView, type Items, type OrderView, type Page, type PositionWithPnl, type SignalView,
  type TestServer, type TraceAnswer,
} from '../../test/support/server.js';

const TAKER = new Dec('0.001'); // 10 bps
const MAKER = new Dec('0.0002'); // 2 bps
const SLIPPAGE = new Dec('0.0005'); // 5 bps
const TICK = new Dec('0.01');

/** exact decimal equality with a readable failure */
function expectDec(actual: string | undefined, expected: Dec | string): void {
  expect(actual, 'a decimal string').toBeTypeOf('string');
  expect(decToString(new Dec(actual!))).toBe(decToString(new Dec(expected)));
}

const ceilTick = (price: Dec): Dec => price.dividedBy(TICK).ceil().times(TICK);
const floorTick = (price: Dec): Dec => price.dividedBy(TICK).floor().times(TICK);

afterAll(() => cleanupTempDirs());

/** Starts a runtime for one describe block; BTC/USDT at 97000. */
function useServer(): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    server.runtime.feed.setPrice('BTC/USDT', '97000');
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => server!;
}

async function accepted(server: TestServer, body: object): Promise<string> {
  const res = await postAlert(server.runtime, body);
  expect(res.status, res.text).toBe(202);
  return res.body.signalId!;
}

async function signalOf(server: TestServer, signalId: string): Promise<SignalView> {
  await quiesce(server.runtime);
  const res = await fetchJson<SignalView>(server.runtime, `/api/v1/signals/${signalId}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function orderOfSignal(server: TestServer, signalId: string): Promise<OrderView> {
  const res = await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?signalId=${signalId}`);
  expect(res.body.items).toHaveLength(1);
  return res.body.items[0]!;
}

async function balances(server: TestServer, accountId: string): Promise<Map<string, string>> {
  const res = await fetchJson<Items<BalanceView>>(server.runtime, `/api/v1/balances?accountId=${accountId}`);
  return new Map(res.body.items.map((b) => [b.asset, b.total]));
}

async function position(server: TestServer, accountId: string, symbol: string): Promise<PositionWithPnl | undefined> {
  const res = await fetchJson<Items<PositionWithPnl>>(server.runtime, `/api/v1/positions?accountId=${accountId}`);
  return res.body.items.find((p) => p.symbol === symbol);
}

async function fillsOf(server: TestServer, clientOrderId: string): Promise<FillView[]> {
  const res = await fetchJson<Page<FillView>>(server.runtime, '/api/v1/fills?limit=500');
  return res.body.items.filter((f) => f.clientOrderId === clientOrderId);
}

describe('market orders: fills, fees, position, balances and PnL', () => {
  const server = useServer();
  let secret: string;
  let accountId: string;
  let buyPrice: Dec;
  let buyFee: Dec;
  let buySignal: string;

  beforeAll(() => {
    ({ secret, accountId } = demoOf(server().runtime));
  });

  it('a market buy fills at the feed price plus 5 bps slippage, paying 10 bps of notional in USDT', async () => {
    buySignal = await accepted(server(), marketAlert(secret, { quantity: '0.01' }));
    const signal = await signalOf(server(), buySignal);
    expect(signal.outcome).toBe('accepted');

    const order = await orderOfSignal(server(), buySignal);
    expect(order).toMatchObject({ accountId, symbol: 'BTC/USDT', side: 'buy', type: 'market', status: 'filled', reduceOnly: false });
    expect(order.clientOrderId).toMatch(/^[0-9a-f]{32}$/);

    const qty = new Dec('0.01');
    buyPrice = ceilTick(new Dec('97000').times(new Dec(1).plus(SLIPPAGE)));
    buyFee = qty.times(buyPrice).times(TAKER);
    expectDec(buyPrice.toString(), '97048.5');
    expectDec(order.filledQuantity, qty);
    expectDec(order.averageFillPrice, buyPrice);
    expectDec(order.fees, buyFee);

    const fills = await fillsOf(server(), order.clientOrderId);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ side: 'buy', feeCurrency: 'USDT', liquidity: 'taker', symbol: 'BTC/USDT' });
    expectDec(fills[0]!.quantity, qty);
    expectDec(fills[0]!.price, buyPrice);
    expectDec(fills[0]!.fee, buyFee);

    const pos = await position(server(), accountId, 'BTC/USDT');
    expectDec(pos?.quantity, qty);
    expectDec(pos?.averageEntryPrice, buyPrice);
    expectDec(pos?.realizedPnl, '0');
    expectDec(pos?.feesPaid, buyFee);

    const b = await balances(server(), accountId);
    expectDec(b.get('USDT'), new Dec('100000').minus(qty.times(buyPrice)).minus(buyFee));
    expectDec(b.get('BTC'), qty);

    // the read model agrees with the exchange's own books
    const atExchange = new Map((await server().runtime.exchange.fetchBalances(accountId)).map((x) => [x.asset, x]));
    expectDec(atExchange.get('USDT')?.total, new Dec(b.get('USDT')!));
    expectDec(atExchange.get('BTC')?.total, qty);
  });

  it('unrealised PnL follows the mark: (mark - average entry) * quantity', async () => {
    server().runtime.feed.setPrice('BTC/USDT', '98000');
    const pos = await position(server(), accountId, 'BTC/USDT');
    expectDec(pos?.markPrice, '98000');
    expectDec(pos?.unrealizedPnl, new Dec('98000').minus(buyPrice).times('0.01'));
    server().runtime.feed.setPrice('BTC/USDT', '96000');
    const lower = await position(server(), accountId, 'BTC/USDT');
    expectDec(lower?.unrealizedPnl, new Dec('96000').minus(buyPrice).times('0.01'));
    expect(new Dec(lower!.unrealizedPnl!).isNegative()).toBe(true);
  });

  it('a sell closing part of the position realises PnL at the slipped price; the rest keeps its entry', async () => {
    server().runtime.feed.setPrice('BTC/USDT', '98000');
    const sellSignal = await accepted(server(), marketAlert(secret, { action: 'sell', quantity: '0.004' }));
    expect((await signalOf(server(), sellSignal)).outcome).toBe('accepted');
    const order = await orderOfSignal(server(), sellSignal);
    expect(order).toMatchObject({ side: 'sell', status: 'filled' });

    const qty = new Dec('0.004');
    const sellPrice = floorTick(new Dec('98000').times(new Dec(1).minus(SLIPPAGE)));
    const sellFee = qty.times(sellPrice).times(TAKER);
    expectDec(order.averageFillPrice, sellPrice);
    expectDec(order.fees, sellFee);

    const pos = await position(server(), accountId, 'BTC/USDT');
    expectDec(pos?.quantity, '0.006');
    expectDec(pos?.averageEntryPrice, buyPrice);
    expectDec(pos?.realizedPnl, sellPrice.minus(buyPrice).times(qty));
    expectDec(pos?.feesPaid, buyFee.plus(sellFee));
    expectDec(pos?.unrealizedPnl, new Dec('98000').minus(buyPrice).times('0.006'));

    const b = await balances(server(), accountId);
    expectDec(b.get('USDT'), new Dec('100000').minus(new Dec('0.01').times(buyPrice)).minus(buyFee).plus(qty.times(sellPrice)).minus(sellFee));
    expectDec(b.get('BTC'), '0.006');
  });

  it('the trace of an alert lists its events in log order', async () => {
    const res = await fetchJson<TraceAnswer>(server().runtime, `/api/v1/signals/${buySignal}/trace`);
    expect(res.status).toBe(200);
    expect(res.body.signalId).toBe(buySignal);
    // the order's attempt is recorded with its approval, in the alert's own commit (ADR-0030)
    expect(res.body.events.map((e) => e.type)).toEqual(['SignalReceived', 'OrderApproved', 'OrderSubmitted', 'SignalProcessed', 'OrderAccepted', 'OrderFilled']);
    const positions = res.body.events.map((e) => e.globalPosition);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('the clientOrderId is deterministic 32-hex, and a replayed alert never creates a second one', async () => {
    const body = marketAlert(secret, { quantity: '0.001', id: 'replayed-alert-1' });
    const signalId = await accepted(server(), body);
    await quiesce(server().runtime);
    const order = await orderOfSignal(server(), signalId);
    expect(order.clientOrderId).toMatch(/^[0-9a-f]{32}$/);
    expect(order.clientOrderId).toBe(clientOrderIdFor(demoOf(server().runtime).tenantId, signalId, accountId, 0));
    const ordersBefore = (await fetchJson<Page<OrderView>>(server().runtime, '/api/v1/orders?limit=500')).body.items.length;

    for (let i = 0; i < 3; i++) {
      const again = await postAlert(server().runtime, body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ signalId, status: 'duplicate' });
    }
    await quiesce(server().runtime);
    expect((await fetchJson<Page<OrderView>>(server().runtime, '/api/v1/orders?limit=500')).body.items).toHaveLength(ordersBefore);
    expect((await orderOfSignal(server(), signalId)).clientOrderId).toBe(order.clientOrderId);
    expect(server().runtime.exchange.placementAttempts(accountId, order.clientOrderId)).toBe(1);
  });
});

describe('limit orders rest and fill when the feed crosses them', () => {
  const server = useServer();

  it('a buy limit below market rests (accepted, open), then fills in partial fills summing to its quantity at the limit', async () => {
    const { secret, accountId } = demoOf(server().runtime);
    const signalId = await accepted(server(), marketAlert(secret, { order_type: 'limit', limit_price: '96000', quantity: '0.01' }));
    expect((await signalOf(server(), signalId)).outcome).toBe('accepted');
    const resting = await orderOfSignal(server(), signalId);
    expect(resting).toMatchObject({ type: 'limit', side: 'buy', status: 'accepted', filledQuantity: '0' });
    expectDec(resting.limitPrice, '96000');
    const atExchange = await server().runtime.exchange.fetchOrder(accountId, resting.clientOrderId);
    expect(atExchange?.status).toBe('open');
    expect(await fillsOf(server(), resting.clientOrderId)).toHaveLength(0);

    // ticks that do not cross leave it resting
    server().runtime.feed.setPrice('BTC/USDT', '96500');
    server().runtime.feed.step();
    server().runtime.feed.setPrice('BTC/USDT', '96000.01');
    await quiesce(server().runtime);
    expect((await server().runtime.exchange.fetchOrder(accountId, resting.clientOrderId))?.status).toBe('open');

    // crossing ticks fill it, a random 30..100% of the remainder per tick
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      server().runtime.feed.setPrice('BTC/USDT', '95990');
      await quiesce(server().runtime);
      const status = (await server().runtime.exchange.fetchOrder(accountId, resting.clientOrderId))?.status;
      seen.add(status ?? 'missing');
      if (status === 'filled') break;
    }
    expect(seen.has('filled')).toBe(true);

    const filled = await waitUntil(async () => {
      const o = (await fetchJson<OrderView>(server().runtime, `/api/v1/orders/${resting.clientOrderId}`)).body;
      return o.status === 'filled' ? o : undefined;
    }, 'the order to be filled in the read model');
    expectDec(filled.filledQuantity, '0.01');
    expectDec(filled.averageFillPrice, '96000');

    const fills = await fillsOf(server(), resting.clientOrderId);
    expect(fills.length).toBeGreaterThanOrEqual(2); // partial fills (a single 100% draw is ~1 in 7000)
    expect(seen.has('partially_filled')).toBe(true);
    const total = fills.reduce((sum, f) => sum.plus(f.quantity), new Dec(0));
    expectDec(decToString(total), '0.01');
    for (const f of fills) {
      expect(f.liquidity).toBe('maker');
      expectDec(f.price, '96000');
      expectDec(f.fee, new Dec(f.quantity).times('96000').times(MAKER));
    }
    expectDec(filled.fees, new Dec('0.01').times('96000').times(MAKER));

    const pos = await position(server(), accountId, 'BTC/USDT');
    expectDec(pos?.quantity, '0.01');
    expectDec(pos?.averageEntryPrice, '96000');
    const b = await balances(server(), accountId);
    expectDec(b.get('USDT'), new Dec('100000').minus('960').minus(new Dec('960').times(MAKER)));
    expectDec(b.get('BTC'), '0.01');
    // each fill is its own event in the trace
    const trace = await fetchJson<TraceAnswer>(server().runtime, `/api/v1/signals/${signalId}/trace`);
    expect(trace.body.events.filter((e) => e.type === 'OrderFilled')).toHaveLength(fills.length);
  });
});

describe('risk checks and kill switches', () => {
  const server = useServer();
  let secret: string;
  let accountId: string;

  beforeAll(() => {
    ({ secret, accountId } = demoOf(server().runtime));
  });

  let counter = 0;
  const nextId = (): string => `risk-spec-${++counter}`;

  async function expectRejected(signalId: string, code: string): Promise<void> {
    const signal = await signalOf(server(), signalId);
    expect(signal.outcome).toBe('rejected');
    expect(signal.orders).toHaveLength(1);
    expect(signal.orders[0]!.outcome).toBe('rejected');
    expect(signal.orders[0]!.reasons?.map((r) => r.code)).toContain(code);
    const order = await orderOfSignal(server(), signalId);
    expect(order.status).toBe('rejected');
    expect(order.reasons?.map((r) => r.code)).toContain(code);
    expect(server().runtime.exchange.placementAttempts(accountId, order.clientOrderId)).toBe(0);
    expect(await server().runtime.exchange.fetchOrder(accountId, order.clientOrderId)).toBeNull();
  }

  async function expectFilled(signalId: string): Promise<void> {
    const signal = await signalOf(server(), signalId);
    expect(signal.outcome).toBe('accepted');
    const order = await orderOfSignal(server(), signalId);
    expect(order.status).toBe('filled');
    expect(server().runtime.exchange.placementAttempts(accountId, order.clientOrderId)).toBe(1);
  }

  it('an order above the 20,000 USDT strategy notional limit is rejected with MAX_ORDER_NOTIONAL and never sent', async () => {
    // 0.25 BTC * 97000 = 24,250: above the strategy's 20,000, below the account's 25,000
    const signalId = await accepted(server(), marketAlert(secret, { quantity: '0.25' }));
    await expectRejected(signalId, 'MAX_ORDER_NOTIONAL');
  });

  it('the account kill switch refuses new orders with KILL_SWITCH_ACCOUNT until released', async () => {
    const engage = await fetchJson<{ engaged: boolean; reason?: string }>(server().runtime, `/api/v1/accounts/${accountId}/kill-switch`, { method: 'PUT', json: { engaged: true, reason: 'e2e test' } });
    expect(engage.status).toBe(200);
    expect(engage.body).toEqual({ engaged: true, reason: 'e2e test' });
    const account = await fetchJson<{ killSwitch: { engaged: boolean } }>(server().runtime, `/api/v1/accounts/${accountId}`);
    expect(account.body.killSwitch.engaged).toBe(true);

    await expectRejected(await accepted(server(), marketAlert(secret, { quantity: '0.001', id: nextId() })), 'KILL_SWITCH_ACCOUNT');

    const release = await fetchJson<{ engaged: boolean }>(server().runtime, `/api/v1/accounts/${accountId}/kill-switch`, { method: 'PUT', json: { engaged: false } });
    expect(release.status).toBe(200);
    expect(release.body.engaged).toBe(false);
    await expectFilled(await accepted(server(), marketAlert(secret, { quantity: '0.001', id: nextId() })));
  });

  it('the global kill switch refuses new orders with KILL_SWITCH_GLOBAL until released', async () => {
    const engage = await fetchJson<{ engaged: boolean }>(server().runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: true, reason: 'market halt' } });
    expect(engage.status).toBe(200);
    expect(engage.body.engaged).toBe(true);
    expect((await fetchJson<{ engaged: boolean }>(server().runtime, '/api/v1/kill-switch')).body.engaged).toBe(true);

    await expectRejected(await accepted(server(), marketAlert(secret, { quantity: '0.001', id: nextId() })), 'KILL_SWITCH_GLOBAL');

    const release = await fetchJson<{ engaged: boolean }>(server().runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: false } });
    expect(release.status).toBe(200);
    expect(release.body.engaged).toBe(false);
    await expectFilled(await accepted(server(), marketAlert(secret, { quantity: '0.001', id: nextId() })));
  });

  it('a kill-switch body that is not {engaged: boolean} is a 400 with a stable code', async () => {
    const res = await fetchJson<ErrorAnswer>(server().runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: 'yes please' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((await fetchJson<{ engaged: boolean }>(server().runtime, '/api/v1/kill-switch')).body.engaged).toBe(false);
  });
});

describe('API surface: OpenAPI, docs, probes, metrics, unknown ids', () => {
  const server = useServer();

  it('/openapi.json is OpenAPI 3.1 and documents every /api/v1 route and the webhook', async () => {
    const res = await fetchJson<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(server().runtime, '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\.\d+$/);
    const expected: Record<string, string[]> = {
      '/webhook/{strategyId}': ['post'],
      '/api/v1/signals': ['get'],
      '/api/v1/signals/{signalId}': ['get'],
      '/api/v1/signals/{signalId}/trace': ['get'],
      '/api/v1/orders': ['get'],
      '/api/v1/orders/{clientOrderId}': ['get'],
      '/api/v1/fills': ['get'],
      '/api/v1/positions': ['get'],
      '/api/v1/balances': ['get'],
      '/api/v1/prices': ['get'],
      '/api/v1/accounts': ['get'],
      '/api/v1/accounts/{accountId}': ['get'],
      '/api/v1/accounts/{accountId}/kill-switch': ['put'],
      '/api/v1/strategies': ['get'],
      '/api/v1/kill-switch': ['get', 'put'],
      '/api/v1/strategies/{strategyId}': ['get', 'put'],
      '/api/v1/strategies/{strategyId}/test-alert': ['post'],
      '/api/v1/stream': ['get'],
      '/api/v1/replays': ['get', 'post'],
      '/api/v1/replays/{replayId}': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(res.body.paths, path).toHaveProperty([path]);
      for (const method of methods) expect(res.body.paths[path], `${method} ${path}`).toHaveProperty([method]);
    }
    // and every documented /api/v1 GET route without parameters really answers
    for (const path of Object.keys(res.body.paths).filter((p) => p.startsWith('/api/v1') && !p.includes('{'))) {
      // the live stream never ends: its own spec (routes/stream) covers it
      if (!res.body.paths[path]!.get || path === '/api/v1/stream') continue;
      expect((await fetchJson(server().runtime, path)).status, path).toBe(200);
    }
  });

  it('/docs serves HTML, /health and /ready answer 200, /metrics has patriot_alerts_total', async () => {
    const docs = await fetch(`${server().runtime.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toMatch(/<html/i);

    const health = await fetchJson<{ status: string }>(server().runtime, '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const ready = await fetchJson<{ status: string }>(server().runtime, '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');

    await postAlert(server().runtime, marketAlert('wrong-secret-for-metrics'));
    const metrics = await fetch(`${server().runtime.url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('patriot_alerts_total');
    expect(text).toMatch(/patriot_alerts_total\{outcome="INVALID_SECRET"\} 1/);
    // the log's append latency, orders by state, per-route request latency, projection lag, duties
    expect(text).toMatch(/patriot_event_store_append_seconds_count\{operation="append"\} [1-9]/);
    expect(text).toContain('# TYPE patriot_orders_open gauge');
    expect(text).toContain('# TYPE patriot_exchange_errors_total counter');
    expect(text).toContain('patriot_projection_lag_events');
    expect(text).toMatch(/patriot_node_leader 1/);
  });

  it('unknown ids answer 404 with stable error codes', async () => {
    const cases: [string, string, string?][] = [
      ['/api/v1/signals/sig_does_not_exist', 'SIGNAL_NOT_FOUND'],
      ['/api/v1/signals/sig_does_not_exist/trace', 'SIGNAL_NOT_FOUND'],
      ['/api/v1/orders/0123456789abcdef0123456789abcdef', 'ORDER_NOT_FOUND'],
      ['/api/v1/accounts/acc_does_not_exist', 'ACCOUNT_NOT_FOUND'],
      ['/api/v1/no-such-route', 'NOT_FOUND'],
    ];
    for (const [path, code] of cases) {
      const res = await fetchJson<ErrorAnswer>(server().runtime, path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe(code);
    }
    const head = await server().runtime.events.headPosition();
    const put = await fetchJson<ErrorAnswer>(server().runtime, '/api/v1/accounts/acc_does_not_exist/kill-switch', { method: 'PUT', json: { engaged: true } });
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    expect(await server().runtime.events.headPosition()).toBe(head);
  });
});
