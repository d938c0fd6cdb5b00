import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  readonly projectionLag = new Gauge({ name: 'patriot_projection_lag_events', help: 'Events in the log not yet in the read models', registers: [this.registry] });
  private readonly received = new Map<string, bigint>();
  private duties: { readonly isLeader: boolean; ownedAccounts(): readonly string[] } | undefined;

  /** Reports this node's leadership and owned accounts at each scrape. */
  trackDuties(source: { readonly isLeader: boolean; ownedAccounts(): readonly string[] }): void {
    this.duties = source;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const duties = () => this.duties;
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
    if (this.received.size > 100_000) this.received.delete(this.received.keys().next().value as string);
    this.received.set(signalId, receivedAtNs);
  }

  /** The first order of a signal leaves for the exchange. */
  orderLeaving(signalId: string): void {
    const start = this.received.get(signalId);
    if (start === undefined) return;
    this.received.delete(signalId);
    this.alertToExchange.observe(Number(process.hrtime.bigint() - start) / 1e9);
  }

  signalDone(signalId: string): void {
    this.received.delete(signalId);
  }
}
