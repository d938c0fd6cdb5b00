import type { KeyValueStore } from '../../application/ports/key-value.js';
import type { Clock, IdGenerator } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { NewReplayBody, ReplayDto } from '../../contracts/replay-api.js';
import type { ReplaysPort, ReplayRun, ReplaySummary } from '../../http/deps.js';
import type { PatriotConfig } from '../config.js';
import { ReplayRefused, replayFrom } from './replay-command.js';
import { ReplayStoreError } from './replay-store.js';

const keyOf = (tenantId: string, replayId: string) => `replay/${tenantId}/${replayId}`;

/**
 * Replays for the API (ADR-0025): one at a time on this node (a replay is work for a core), in a
 * store of its own (a temp SQLite directory, or its own database on the live PostgreSQL server);
 * the report is kept beside the log (the key-value store), never in the log or the read models.
 */
export function replayService(deps: { kv: KeyValueStore; config: PatriotConfig; clock: Clock; ids: IdGenerator; log: Logger }): ReplaysPort {
  let running = false;
  return {
    run: async (tenantId: string, body: NewReplayBody): Promise<ReplayRun> => {
      if (running) return { ok: false, status: 409, code: 'REPLAY_BUSY', message: 'another replay is running on this server; try again when it is done' };
      if (body.store === 'postgres' && deps.config.databaseUrl === undefined) return { ok: false, status: 422, code: 'REPLAY_STORE_UNAVAILABLE', message: 'this server does not run on PostgreSQL: replay with store "sqlite"' };
      running = true;
      try {
        const report = await replayFrom({
          alerts: body.alerts, prices: { csv: body.prices },
          ...(body.symbol !== undefined ? { symbol: body.symbol } : {}), ...(body.ticker !== undefined ? { ticker: body.ticker } : {}),
          ...(body.strategy !== undefined ? { strategy: body.strategy } : {}), ...(body.startingBalance !== undefined ? { startingBalance: body.startingBalance } : {}),
        }, deps.config, body.store === 'postgres' ? { kind: 'postgres', serverUrl: deps.config.databaseUrl! } : { kind: 'sqlite' });
        const replay: ReplayDto = { replayId: deps.ids.next('rpl').toLowerCase(), name: body.name ?? `Replay of ${report.alerts} alerts`, createdAt: new Date(deps.clock.now()).toISOString(), report };
        await deps.kv.set(keyOf(tenantId, replay.replayId), JSON.stringify(replay));
        return { ok: true, replay };
      } catch (error) {
        if (error instanceof ReplayRefused) return { ok: false, status: 422, code: error.error.code, message: error.error.message, ...(error.error.line !== undefined ? { line: error.error.line } : {}) };
        if (error instanceof ReplayStoreError) {
          deps.log.error({ reason: error.message }, 'a replay could not make its own store');
          return { ok: false, status: 503, code: error.code, message: 'the replay could not make a store of its own; see the server log' };
        }
        throw error;
      } finally {
        running = false;
      }
    },
    list: async (tenantId: string): Promise<ReplaySummary[]> => {
      const entries = await deps.kv.entries(`replay/${tenantId}/`);
      return entries.map(([, value]) => summaryOf(JSON.parse(value) as ReplayDto)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.replayId < b.replayId ? 1 : -1));
    },
    get: async (tenantId: string, replayId: string): Promise<ReplayDto | undefined> => {
      const value = await deps.kv.get(keyOf(tenantId, replayId));
      return value === undefined ? undefined : (JSON.parse(value) as ReplayDto);
    },
  };
}

function summaryOf(r: ReplayDto): ReplaySummary {
  const strategy = r.report.strategies[0]?.metrics;
  return {
    replayId: r.replayId, name: r.name, createdAt: r.createdAt, alerts: r.report.alerts, accepted: r.report.accepted, refused: r.report.refused.length,
    trades: strategy?.trades ?? 0, pnl: strategy?.realizedPnl ?? '0',
  };
}
