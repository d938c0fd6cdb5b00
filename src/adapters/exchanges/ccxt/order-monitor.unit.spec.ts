import { describe, expect, it } from 'vitest';
import type { ExchangeFill, ExchangeOrder, OrderUpdate } from '../../../application/ports/exchange.js';
import { OrderMonitor, backoffDelay, type MonitorSource, type MonitorState } from './order-monitor.js';
import { FakeScheduler, flush } from './test-support/fake-scheduler.js';

const fill = (tradeId: string, quantity = '0.001'): ExchangeFill => ({
  tradeId,
  clientOrderId: 'c1',
  exchangeOrderId: 'e1',
  symbol: 'BTC/USDT',
  side: 'buy',
  quantity,
  price: '43000',
  fee: '0',
  feeCurrency: 'BTC',
  liquidity: 'maker',
  time: '2024-01-01T00:00:00.000Z',
});

const order = (over: Partial<ExchangeOrder> = {}): ExchangeOrder => ({
  clientOrderId: 'c1',
  exchangeOrderId: 'e1',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  quantity: '0.002',
  limitPrice: '43000',
  filledQuantity: '0',
  status: 'open',
  fills: [],
  ...over,
});

/** A source whose watch() calls are answered by the test. */
class FakeSource implements MonitorSource {
  watchCalls = 0;
  closed = 0;
  private pending: { resolve: (o: readonly ExchangeOrder[]) => void; reject: (e: Error) => void } | undefined;
  openOrders: ExchangeOrder[] = [];
  openCalls = 0;
  lookups: string[] = [];
  byId = new Map<string, ExchangeOrder | null | Error>();

  watch(): Promise<readonly ExchangeOrder[]> {
    this.watchCalls += 1;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }
  push(orders: ExchangeOrder[]): void {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(orders);
  }
  fail(message = 'socket closed'): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new Error(message));
  }
  async fetchOpenOrders(): Promise<readonly ExchangeOrder[]> {
    this.openCalls += 1;
    return this.openOrders;
  }
  async fetchOrder(clientOrderId: string): Promise<ExchangeOrder | null> {
    this.lookups.push(clientOrderId);
    const found = this.byId.get(clientOrderId);
    if (found instanceof Error) throw found;
    return found ?? null;
  }
  async close(): Promise<void> {
    this.closed += 1;
  }
  recycled = 0;
  async recycle(): Promise<void> {
    this.recycled += 1;
    this.fail('recycled');
  }
  sent: { clientOrderId: string; symbol: string }[] = [];
  recentlySent(): readonly { clientOrderId: string; symbol: string }[] {
    return this.sent;
  }
}

function setup(options: { pollIntervalMs?: number; stableAfterMs?: number; auditIntervalMs?: number; silenceConfirmMs?: number } = {}) {
  const scheduler = new FakeScheduler();
  const source = new FakeSource();
  const updates: OrderUpdate[] = [];
  const states: MonitorState[] = [];
  const monitor = new OrderMonitor(
    'acc1',
    source,
    (u) => updates.push(u),
    scheduler,
    {
      pollIntervalMs: options.pollIntervalMs ?? 5000, stableAfterMs: options.stableAfterMs ?? 3000, backoff: { initialMs: 500, maxMs: 4000, jitter: 0.2 }, random: () => 0.5,
      auditIntervalMs: options.auditIntervalMs ?? 0, ...(options.silenceConfirmMs !== undefined ? { silenceConfirmMs: options.silenceConfirmMs } : {}),
    },
    undefined,
    (s) => states.push(s),
  );
  return { scheduler, source, updates, states, monitor };
}

describe('backoffDelay', () => {
  it('grows exponentially to the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, { initialMs: 500, maxMs: 4000 }, mid))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });
  it('adds ± jitter', () => {
    expect(backoffDelay(1, { initialMs: 1000, jitter: 0.2 }, () => 0)).toBe(800);
    expect(backoffDelay(1, { initialMs: 1000, jitter: 0.2 }, () => 0.999999)).toBe(1200);
  });
});

describe('OrderMonitor', () => {
  it('emits streamed orders, one update per new fill, and drops repeats', async () => {
    const { source, updates, monitor, states } = setup();
    monitor.start();
    await flush();
    source.push([order()]);
    await flush();
    source.push([order()]); // the same again: nothing new
    await flush();
    source.push([order({ status: 'partially_filled', filledQuantity: '0.001', fills: [fill('t1')] })]);
    await flush();
    source.push([order({ status: 'filled', filledQuantity: '0.002', fills: [fill('t1'), fill('t2')] })]);
    await flush();
    expect(updates.map((u) => [u.order.status, u.fill?.tradeId])).toEqual([
      ['open', undefined],
      ['partially_filled', 't1'],
      ['filled', 't2'],
    ]);
    expect(states).toEqual(['streaming']);
    expect(monitor.tracked.size).toBe(0); // filled: no longer tracked
    await monitor.stop();
  });

  it('falls back to REST polling when the stream fails, reconnects with back-off, and catches up once connected', async () => {
    const { scheduler, source, monitor, states } = setup({ pollIntervalMs: 5000, stableAfterMs: 3000 });
    monitor.start();
    await flush();
    expect(source.watchCalls).toBe(1);
    source.fail();
    await flush();
    expect(monitor.state).toBe('polling');
    expect(source.openCalls).toBe(1); // polled at once
    await scheduler.advance(500); // first reconnect after 500 ms
    expect(source.watchCalls).toBe(2);
    source.fail();
    await scheduler.advance(999);
    expect(source.watchCalls).toBe(2);
    await scheduler.advance(1); // then 1000 ms
    expect(source.watchCalls).toBe(3);
    await scheduler.advance(3500);
    // the third watch has stayed up for stableAfterMs: streaming, one catch-up poll, polling stops
    expect(monitor.state).toBe('streaming');
    expect(source.openCalls).toBe(2);
    await scheduler.advance(20_000);
    expect(source.openCalls).toBe(2); // (the audit of a stream that is up is off here)
    expect(states).toEqual(['polling', 'streaming']);
    await monitor.stop();
  });

  it('polls every pollIntervalMs for as long as the stream stays down', async () => {
    const { scheduler, source, monitor } = setup({ pollIntervalMs: 5000 });
    monitor.start();
    await flush();
    const failAll = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        source.fail();
        await scheduler.advance(100);
      }
    };
    await failAll(12_000);
    expect(monitor.state).toBe('polling');
    expect(source.openCalls).toBe(3); // at 0, 5 s, 10 s
    expect(source.watchCalls).toBeGreaterThan(3);
    await monitor.stop();
  });

  it('the catch-up poll after a reconnect is triggered by the first streamed batch too', async () => {
    const { scheduler, source, monitor } = setup({ stableAfterMs: 60_000 });
    monitor.start();
    await flush();
    source.fail();
    await flush();
    expect(source.openCalls).toBe(1);
    await scheduler.advance(500);
    source.push([]);
    await flush();
    expect(monitor.state).toBe('streaming');
    expect(source.openCalls).toBe(2);
    await monitor.stop();
  });

  it('while polling, looks up tracked orders that left the open list, and forgets orders the exchange does not have', async () => {
    const { source, updates, monitor } = setup();
    monitor.track(order({ clientOrderId: 'gone' }));
    monitor.track(order({ clientOrderId: 'filled' }));
    monitor.track(order({ clientOrderId: 'flaky' }));
    monitor.track(order({ clientOrderId: 'still-open' }));
    source.openOrders = [order({ clientOrderId: 'still-open' })];
    source.byId.set('filled', order({ clientOrderId: 'filled', status: 'filled', filledQuantity: '0.002', fills: [fill('f1', '0.002')] }));
    source.byId.set('flaky', new Error('timeout'));
    monitor.start();
    await flush();
    source.fail();
    await flush();
    expect(source.lookups.sort()).toEqual(['filled', 'flaky', 'gone']);
    // a tracked order in the state it was tracked with is not news; its fill is
    expect(updates.map((u) => [u.order.clientOrderId, u.order.status, u.fill?.tradeId])).toEqual([['filled', 'filled', 'f1']]);
    expect([...monitor.tracked.keys()].sort()).toEqual(['flaky', 'still-open']);
    await monitor.stop();
  });

  it('keeps emitting after a listener throws', async () => {
    const scheduler = new FakeScheduler();
    const source = new FakeSource();
    const seen: string[] = [];
    const monitor = new OrderMonitor('acc1', source, (u) => {
      seen.push(u.order.clientOrderId);
      throw new Error('listener bug');
    }, scheduler);
    monitor.start();
    await flush();
    source.push([order({ clientOrderId: 'a' }), order({ clientOrderId: 'b' })]);
    await flush();
    expect(seen).toEqual(['a', 'b']);
    await monitor.stop();
  });

  it('stop() closes the source, ends the loop even if the pending watch never settles, and stops polling', async () => {
    const { scheduler, source, monitor } = setup();
    monitor.start();
    await flush();
    source.fail();
    await flush();
    await monitor.stop();
    expect(monitor.state).toBe('stopped');
    expect(source.closed).toBe(1);
    const calls = { watch: source.watchCalls, open: source.openCalls };
    await scheduler.advance(60_000);
    expect({ watch: source.watchCalls, open: source.openCalls }).toEqual(calls);
    expect(scheduler.timers).toBe(0);
  });

  describe('a stream that stays open but goes silent', () => {
    it('while streaming, the audit reads open and recently sent orders over REST; a fill the stream never reported is emitted at once and the stream is recycled', async () => {
      const { scheduler, source, monitor, updates, states } = setup({ auditIntervalMs: 10_000, silenceConfirmMs: 2000 });
      monitor.start();
      await flush();
      source.push([order()]); // the stream reports the resting order...
      await flush();
      expect(monitor.state).toBe('streaming');
      // ...then goes silent: the order fills and the stream says nothing
      source.byId.set('c1', order({ status: 'filled', filledQuantity: '0.002', fills: [fill('t1', '0.002')] }));
      await scheduler.advance(10_000);
      expect(source.lookups).toEqual(['c1']);
      expect(updates.at(-1)?.fill?.tradeId).toBe('t1'); // recorded without waiting for the stream
      expect(source.recycled).toBe(0); // the stream may still be on its way with it
      const watches = source.watchCalls;
      await scheduler.advance(2000);
      expect(source.recycled).toBe(1);
      expect(monitor.silentRecycles).toBe(1);
      expect(states).toEqual(['streaming', 'polling']); // not claimed healthy while it reconnects
      await scheduler.advance(500);
      expect(source.watchCalls).toBe(watches + 1); // a fresh stream
      await monitor.stop();
    });

    it('a stream that reports the change soon after the audit saw it is not recycled', async () => {
      const { scheduler, source, monitor, updates } = setup({ auditIntervalMs: 10_000, silenceConfirmMs: 2000 });
      monitor.start();
      await flush();
      source.push([order()]);
      await flush();
      const filled = order({ status: 'filled', filledQuantity: '0.002', fills: [fill('t1', '0.002')] });
      source.byId.set('c1', filled);
      await scheduler.advance(10_000);
      source.push([filled]); // the stream was only a little behind
      await scheduler.advance(5000);
      expect(source.recycled).toBe(0);
      expect(updates.filter((u) => u.fill?.tradeId === 't1')).toHaveLength(1); // emitted once
      await monitor.stop();
    });

    it('an audit that finds nothing new leaves a quiet stream alone; recently sent orders are looked up', async () => {
      const { scheduler, source, monitor } = setup({ auditIntervalMs: 10_000, silenceConfirmMs: 2000 });
      source.sent = [{ clientOrderId: 'c9', symbol: 'BTC/USDT' }];
      monitor.start();
      await flush();
      await scheduler.advance(3000); // stable: streaming
      expect(monitor.state).toBe('streaming');
      await scheduler.advance(30_000);
      expect(source.lookups).toEqual(['c9', 'c9', 'c9']);
      expect(source.recycled).toBe(0);
      await monitor.stop();
    });
  });
});
