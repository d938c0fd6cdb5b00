import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { wrapAppends } from './wrap-appends.js';
import type { EventStore } from '../application/ports/event-store.js';

/** The process's metrics, in a registry of its own (no global state). */
export class PatriotMetrics {
  readonly registry = new Registry();
  readonly alerts = new Counter({ name: 'patriot_alerts_total', help: 'Alerts by outcome (accepted, duplicate, or the refusal code)', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly alertToExchange = new Histogram({
    name: 'patriot_alert_to_exchange_seconds',
    help: 'From alert receipt to the order request leaving for the exchange',
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly orders = new Counter({ name: 'patriot_orders_total', help: 'Orders by placement outcome (accepted, rejected, unknown)', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly exchangeErrors = new Counter({
    name: 'patriot_exchange_errors_total', help: 'Order placements the exchange refused (by code) or left unknown (timeouts, 5xx, lost connections)',
    labelNames: ['exchange', 'kind', 'code'] as const, registers: [this.registry],
  });
  readonly appendSeconds = new Histogram({
    name: 'patriot_event_store_append_seconds', help: 'Event log appends (durable commit included), by operation',
    labelNames: ['operation'] as const, buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry],
  });
  readonly projectionLag = new Gauge({ name: 'patriot_projection_lag_events', help: 'Events in the log not yet in the read models', registers: [this.registry] });
  readonly processorLag = new Gauge({ name: 'patriot_processor_lag_events', help: 'Events in the log a processor has not processed yet, by processor', labelNames: ['processor'] as const, registers: [this.registry] });
  readonly processorFailures = new Counter({ name: 'patriot_processor_failures_total', help: 'Failed processor batches (tried again), by processor', labelNames: ['processor'] as const, registers: [this.registry] });
  private readonly received = new Map<string, bigint>();
  /** signals routed in the alert's own commit before it was answered: when the first order left, or null when none will */
  private readonly leftFirst = new Map<string, bigint | null>();
  private duties: { readonly isLeader: boolean; ownedAccounts(): readonly string[] } | undefined;
  private liveOrders: (() => ReadonlyMap<string, number>) | undefined;

  /** Reports the orders not final yet, by status, at each scrape. */
  trackOrders(byStatus: () => ReadonlyMap<string, number>): void {
    this.liveOrders = byStatus;
  }

  /** Reports this node's leadership and owned accounts at each scrape. */
  trackDuties(source: { readonly isLeader: boolean; ownedAccounts(): readonly string[] }): void {
    this.duties = source;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const duties = () => this.duties;
    const liveOrders = () => this.liveOrders?.() ?? new Map<string, number>();
    new Gauge({
      name: 'patriot_orders_open', help: 'Orders not final yet, by status (approved, parked, unknown, accepted, partially_filled)', labelNames: ['status'] as const, registers: [this.registry],
      collect() {
        this.reset();
        for (const [status, n] of liveOrders()) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'patriot_node_leader', help: '1 while this node leads (routes signals, projects read models, takes snapshots)', registers: [this.registry],
      collect() {
        this.set(duties()?.isLeader ? 1 : 0);
      },
    });
    new Gauge({
      name: 'patriot_accounts_owned', help: 'Accounts whose order flow this node owns (holds the lease of)', registers: [this.registry],
      collect() {
        this.set(duties()?.ownedAccounts().length ?? 0);
      },
    });
  }

  alertAccepted(signalId: string, receivedAtNs: bigint): void {
    // routed in the alert's own commit (ADR-0030), its first order may leave before the answer is written
    const left = this.leftFirst.get(signalId);
    if (left !== undefined) {
      this.leftFirst.delete(signalId);
      if (left !== null) this.alertToExchange.observe(Number(left - receivedAtNs) / 1e9);
      return;
    }
    keepAtMost(this.received, 100_000, signalId, receivedAtNs);
  }

  /** The first order of a signal leaves for the exchange. */
  orderLeaving(signalId: string): void {
    const now = process.hrtime.bigint();
    const start = this.received.get(signalId);
    if (start === undefined) {
      // not answered yet (or not an alert's, or observed already): kept until its alert is answered
      if (!this.leftFirst.has(signalId)) keepAtMost(this.leftFirst, 10_000, signalId, now);
      return;
    }
    this.received.delete(signalId);
    this.alertToExchange.observe(Number(now - start) / 1e9);
  }

  /** The signal's routing approved no order: nothing of it will leave. */
  signalDone(signalId: string): void {
    if (this.received.delete(signalId)) return;
    // routed before its alert was answered: the answer must not wait for an order
    keepAtMost(this.leftFirst, 10_000, signalId, null);
  }
}

/** Sets a key in a map that keeps at most about `max` entries, the oldest out first. */
function keepAtMost<V>(map: Map<string, V>, max: number, key: string, value: V): void {
  if (map.size > max) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/** The event store with its appends timed into patriot_event_store_append_seconds (plain delegation: the store keeps its own state). */
export function timedAppends(store: EventStore, metrics: PatriotMetrics): EventStore {
  return wrapAppends(store, async (operation, call) => {
    const stop = metrics.appendSeconds.startTimer({ operation });
    try {
      return await call();
    } finally {
      stop();
    }
  });
}
