import { describe, expect, it } from 'vitest';
import type { Leases } from '../ports/leases.js';
import { silentLogger } from '../ports/logger.js';
import { LEADER_LEASE, LeaseKeeper } from './lease-keeper.js';

/** Leases of several nodes over one in-memory lock table, with a session that can die. */
class FakeCluster {
  readonly owners = new Map<string, FakeLeases>();
  readonly nodes = new Set<FakeLeases>();
  node(): FakeLeases {
    const l = new FakeLeases(this);
    this.nodes.add(l);
    return l;
  }
}

class FakeLeases implements Leases {
  private readonly listeners = new Set<(names: readonly string[]) => void>();
  alive = true;
  constructor(private readonly cluster: FakeCluster) {}
  async tryAcquire(name: string): Promise<boolean> {
    if (!this.alive) return false;
    const owner = this.cluster.owners.get(name);
    if (owner && owner !== this) return false;
    this.cluster.owners.set(name, this);
    return true;
  }
  async release(name: string): Promise<void> {
    if (this.cluster.owners.get(name) === this) this.cluster.owners.delete(name);
  }
  holds(name: string): boolean {
    return this.cluster.owners.get(name) === this;
  }
  held(): readonly string[] {
    return [...this.cluster.owners].filter(([, o]) => o === this).map(([n]) => n);
  }
  async liveNodes(): Promise<number> {
    return [...this.cluster.nodes].filter((n) => n.alive).length;
  }
  async check(): Promise<boolean> {
    return this.alive;
  }
  onLost(listener: (names: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  async close(): Promise<void> {
    for (const n of this.held()) this.cluster.owners.delete(n);
    this.cluster.nodes.delete(this);
  }
  /** The session dies: the database forgets its locks; the node hears it. */
  die(): void {
    const lost = this.held();
    for (const n of lost) this.cluster.owners.delete(n);
    for (const l of this.listeners) l(lost);
  }
}

const ACCOUNTS = Array.from({ length: 10 }, (_, i) => `acc${i}`);

function keeperOn(leases: FakeLeases, nodeId: string, accounts: string[] = ACCOUNTS) {
  const events: string[] = [];
  const idleWaits: string[] = [];
  const keeper = new LeaseKeeper({
    leases, log: silentLogger, nodeId, accounts: () => accounts, intervalMs: 60_000,
    onLeadership: async (leading) => void events.push(leading ? 'lead' : 'step-down'),
    onAccountTaken: async (id) => void events.push(`take ${id}`),
    onAccountDropped: (id) => void events.push(`drop ${id}`),
    accountIdle: async (id) => void idleWaits.push(id),
  });
  return { keeper, events, idleWaits };
}

describe('LeaseKeeper', () => {
  it('given one node, when it starts, then it takes every account first and then leads', async () => {
    const cluster = new FakeCluster();
    const a = keeperOn(cluster.node(), 'a');
    await a.keeper.start();
    expect(a.events.slice(0, 10).every((e) => e.startsWith('take '))).toBe(true);
    expect(a.events.at(-1)).toBe('lead');
    expect(a.keeper.ownedAccounts().sort()).toEqual([...ACCOUNTS].sort());
    expect(a.keeper.isLeader).toBe(true);
    await a.keeper.stop();
  });

  it('given a second node joins, then the first hands back half (after each is idle) and the second takes them; nothing is owned twice', async () => {
    const cluster = new FakeCluster();
    const a = keeperOn(cluster.node(), 'a');
    await a.keeper.start();
    const b = keeperOn(cluster.node(), 'b');
    await b.keeper.start(); // b sees 2 nodes but every account is held
    expect(b.keeper.ownedAccounts()).toEqual([]);
    expect(b.keeper.isLeader).toBe(false);
    await a.keeper.round();
    expect(a.keeper.ownedAccounts()).toHaveLength(5);
    const handedBack = a.events.filter((e) => e.startsWith('drop ')).map((e) => e.slice(5));
    expect(handedBack.sort()).toEqual([...a.idleWaits].sort());
    await b.keeper.round();
    expect(b.keeper.ownedAccounts().sort()).toEqual(handedBack.sort());
    expect(new Set([...a.keeper.ownedAccounts(), ...b.keeper.ownedAccounts()]).size).toBe(10);
    await a.keeper.stop();
    await b.keeper.stop();
  });

  it("given the leader's session dies, then it drops its duties at once and the other node takes them over at its next round", async () => {
    const cluster = new FakeCluster();
    const la = cluster.node();
    const a = keeperOn(la, 'a');
    const b = keeperOn(cluster.node(), 'b');
    await a.keeper.start();
    await b.keeper.start();
    await a.keeper.round();
    await b.keeper.round();
    const hadA = a.keeper.ownedAccounts();
    la.alive = false;
    la.die();
    expect(a.keeper.isLeader).toBe(false);
    expect(a.events).toContain('step-down');
    for (const id of hadA) expect(a.events).toContain(`drop ${id}`);
    await b.keeper.round();
    expect(b.keeper.isLeader).toBe(true);
    expect(b.keeper.ownedAccounts()).toHaveLength(10);
    await a.keeper.stop();
    await b.keeper.stop();
  });

  it('given no accounts yet, then it still leads, and takes an account opened later on the next round', async () => {
    const cluster = new FakeCluster();
    const accounts: string[] = [];
    const a = keeperOn(cluster.node(), 'a', accounts);
    await a.keeper.start();
    expect(a.events).toEqual(['lead']);
    accounts.push('new');
    await a.keeper.round();
    expect(a.events).toEqual(['lead', 'take new']);
    expect(cluster.owners.get(LEADER_LEASE)).toBeDefined();
    await a.keeper.stop();
  });
});

describe('LeaseKeeper when taking up the lead fails', () => {
  it('gives the lead back and tries again at the next round', async () => {
    const cluster = new FakeCluster();
    const leases = cluster.node();
    let failures = 1;
    const calls: boolean[] = [];
    const keeper = new LeaseKeeper({
      leases, log: silentLogger, nodeId: 'a', accounts: () => [], intervalMs: 60_000,
      onLeadership: async (leading) => {
        calls.push(leading);
        if (leading && failures-- > 0) throw new Error('database away');
      },
      onAccountTaken: async () => undefined, onAccountDropped: () => undefined, accountIdle: async () => undefined,
    });
    await expect(keeper.start()).rejects.toThrow('database away');
    expect(keeper.isLeader).toBe(false);
    expect(leases.holds(LEADER_LEASE)).toBe(false);
    await keeper.round();
    expect(keeper.isLeader).toBe(true);
    expect(calls).toEqual([true, false, true]);
    await keeper.stop();
  });
});

describe('LeaseKeeper leadership changes', () => {
  it('given a step-down still running when the lead is won back, then the step-up waits for it (the step-down never stops the new duties)', async () => {
    const cluster = new FakeCluster();
    const la = cluster.node();
    const events: string[] = [];
    let finishStepDown: (() => void) | undefined;
    const keeper = new LeaseKeeper({
      leases: la, log: silentLogger, nodeId: 'a', accounts: () => [], intervalMs: 60_000,
      onLeadership: async (leading) => {
        events.push(leading ? 'lead:start' : 'step-down:start');
        if (!leading && finishStepDown === undefined) await new Promise<void>((resolve) => (finishStepDown = resolve));
        events.push(leading ? 'lead:end' : 'step-down:end');
      },
      onAccountTaken: async () => undefined,
      onAccountDropped: () => undefined,
      accountIdle: async () => undefined,
    });
    await keeper.start();
    expect(keeper.isLeader).toBe(true);
    la.die(); // the step-down starts and hangs (waiting for routing to go idle, say)
    const round = keeper.round(); // the session is fine again: the lead is won back at once
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['lead:start', 'lead:end', 'step-down:start']);
    finishStepDown!();
    await round;
    expect(events).toEqual(['lead:start', 'lead:end', 'step-down:start', 'step-down:end', 'lead:start', 'lead:end']);
    expect(keeper.isLeader).toBe(true);
    await keeper.stop();
  });
});
