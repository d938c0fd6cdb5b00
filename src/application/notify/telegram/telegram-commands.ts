import type { UserRole } from '../../../domain/events.js';
import { Dec, shownDec } from '../../../domain/shared/decimal.js';
import type { DomainError, Result } from '../../../domain/shared/result.js';
import type { StrategyControlCommand } from '../../../domain/strategies/strategy-control.js';
import type { PortfolioSnapshot } from '../../ports/snapshot-store.js';
import type { ReadQueries } from '../../queries/read-queries.js';
import type { InlineButton } from '../../ports/telegram-api.js';

/**
 * What commands from a linked chat use: the same queries and command handlers as the HTTP API
 * (wired from the same functions in bootstrap/wiring/telegram.ts), and the user's access now.
 */
export interface TelegramControl {
  /** the user's access now (undefined: no such user) */
  access(userId: string): Promise<{ readonly tenantId: string; readonly role: UserRole; readonly disabled: boolean } | undefined>;
  readonly queries: Pick<ReadQueries, 'system' | 'accounts' | 'positions' | 'balances' | 'openOrders' | 'strategies'>;
  setKillSwitch(tenantId: string, engaged: boolean, reason: string): Promise<Result<{ changed: boolean; lastPosition?: number }, DomainError>>;
  strategyControl(tenantId: string, strategyId: string, command: StrategyControlCommand): Promise<Result<{ changed: boolean; lastPosition?: number }, DomainError>>;
  equityCurve(tenantId: string, accountId: string, from: string, to: string, limit: number): Promise<PortfolioSnapshot[]>;
  waitForProjection(position: number): Promise<void>;
  readonly now: () => number;
}

/** One answer: text, and buttons under it when it asks for a confirmation. */
export interface Reply {
  readonly text: string;
  readonly buttons?: readonly InlineButton[];
}

/** An action that waits for its confirmation button. */
export type Confirmable = { readonly type: 'kill' } | { readonly type: 'release' };

export interface Caller {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: UserRole;
}

const RANK: Readonly<Record<UserRole, number>> = { viewer: 0, trader: 1, admin: 2 };
const MAX_LINES = 40;

export const HELP = [
  'PATRIOT commands:',
  '/status — kill switch, accounts, strategies, open orders',
  '/positions — open positions with unrealised PnL',
  '/balance — balances per account',
  '/pnl [day|week] — PnL after fees (all time), or the equity change over the last day / week',
  '/orders — open orders',
  '/kill — engage the global kill switch (asks to confirm)',
  '/resume — release the global kill switch (asks to confirm)',
  '/pause <strategy> — pause a strategy; /resume <strategy> — resume it',
].join('\n');

const list = (lines: string[], empty: string): string => {
  if (lines.length === 0) return empty;
  return lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `… and ${lines.length - MAX_LINES} more (see the dashboard)`].join('\n') : lines.join('\n');
};
const sum = (values: readonly string[]): Dec => values.reduce((a, v) => a.plus(new Dec(v)), new Dec(0));
const signed = (d: Dec): string => `${d.isNegative() ? '' : '+'}${shownDec(d.toFixed())}`;

/** The text a command answers; actions that need a trader check the role first. `confirm` holds a kill / release until its button. */
export async function answerCommand(control: TelegramControl, caller: Caller, command: string, args: readonly string[], confirm: (action: Confirmable) => string): Promise<Reply> {
  const { tenantId } = caller;
  const needs = (role: UserRole): Reply | undefined => (RANK[caller.role] < RANK[role] ? { text: `Refused: your role is ${caller.role}; /${command} needs the ${role} role.` } : undefined);
  switch (command) {
    case 'start':
    case 'help':
      return { text: HELP };
    case 'status': {
      const [system, accounts, strategies, orders] = await Promise.all([control.queries.system(tenantId), control.queries.accounts(tenantId), control.queries.strategies(tenantId), control.queries.openOrders(tenantId, {})]);
      const ks = system.killSwitch;
      return {
        text: [
          `Global kill switch: ${ks.engaged ? `ENGAGED (${ks.reason ?? 'no reason'})` : 'released'}`,
          ...accounts.map((a) => `Account ${a.name} (${a.accountId}, ${a.exchange}): ${a.killSwitch.engaged ? `kill switch ENGAGED (${a.killSwitch.reason ?? ''})` : 'trading'}`),
          `Strategies: ${strategies.filter((s) => s.status !== 'paused').length} active, ${strategies.filter((s) => s.status === 'paused').length} paused`,
          `Open orders: ${orders.total}`,
        ].join('\n'),
      };
    }
    case 'positions': {
      const positions = (await control.queries.positions(tenantId, {})).filter((p) => !new Dec(p.quantity).isZero());
      return { text: list(positions.map((p) => `${p.accountId} ${p.symbol}: ${p.quantity} @ ${p.averageEntryPrice}${p.unrealizedPnl !== undefined ? `, unrealised ${p.unrealizedPnl}` : ''}`), 'No open positions.') };
    }
    case 'balance': {
      const balances = await control.queries.balances(tenantId, {});
      return { text: list(balances.filter((b) => !new Dec(b.total).isZero()).map((b) => `${b.accountId} ${b.asset}: ${b.total}`), 'No balances recorded yet.') };
    }
    case 'orders': {
      const orders = (await control.queries.openOrders(tenantId, {})).items;
      return { text: list(orders.map((o) => `${o.clientOrderId} ${o.side.toUpperCase()} ${o.quantity} ${o.symbol} ${o.type}${o.limitPrice ? ` @ ${o.limitPrice}` : ''} (${o.status}, filled ${o.filledQuantity})`), 'No open orders.') };
    }
    case 'pnl':
      return { text: await pnlText(control, tenantId, args[0]) };
    case 'kill':
      return needs('trader') ?? { text: 'Engage the GLOBAL kill switch? Every new order of every account is refused until it is released.', buttons: [{ text: 'Yes, engage', data: confirm({ type: 'kill' }) }, { text: 'Cancel', data: 'cancel' }] };
    case 'resume':
      if (args.length === 0) {
        return needs('trader') ?? { text: 'Release the global kill switch? Orders are placed again.', buttons: [{ text: 'Yes, release', data: confirm({ type: 'release' }) }, { text: 'Cancel', data: 'cancel' }] };
      }
      return needs('trader') ?? (await strategyCommand(control, caller, args[0]!, 'Resume'));
    case 'pause':
      if (args.length === 0) return { text: 'Which strategy? /pause <strategy id>' };
      return needs('trader') ?? (await strategyCommand(control, caller, args[0]!, 'Pause'));
    default:
      return { text: `Unknown command /${command.slice(0, 32)}.\n\n${HELP}` };
  }
}

/** A confirmed kill or release, done as the API does it, recorded with who asked. */
export async function runConfirmed(control: TelegramControl, caller: Caller, action: Confirmable): Promise<string> {
  if (RANK[caller.role] < RANK.trader) return `Refused: your role is ${caller.role}; this needs the trader role.`;
  const engaged = action.type === 'kill';
  const result = await control.setKillSwitch(caller.tenantId, engaged, `${engaged ? 'engaged' : 'released'} from Telegram by user ${caller.userId}`);
  if (!result.ok) return `Refused: ${result.error.message}`;
  if (result.value.lastPosition !== undefined) await control.waitForProjection(result.value.lastPosition);
  if (!result.value.changed) return engaged ? 'The global kill switch was already engaged.' : 'The global kill switch was already released.';
  return engaged ? 'Global kill switch ENGAGED. /resume releases it.' : 'Global kill switch released.';
}

async function strategyCommand(control: TelegramControl, caller: Caller, strategyId: string, type: 'Pause' | 'Resume'): Promise<Reply> {
  const by = caller.userId; // as the API records it
  const result = await control.strategyControl(caller.tenantId, strategyId, type === 'Pause' ? { type, by, reason: 'paused from Telegram' } : { type, by });
  if (!result.ok) return { text: `Refused: ${result.error.message} (${result.error.code})` };
  if (result.value.lastPosition !== undefined) await control.waitForProjection(result.value.lastPosition);
  const word = type === 'Pause' ? 'paused' : 'resumed';
  return { text: result.value.changed ? `Strategy ${strategyId} ${word}.` : `Strategy ${strategyId} was already ${word === 'paused' ? 'paused' : 'active'}.` };
}

/** Net PnL per account as the dashboard's headline (realised + unrealised − fees), or the equity change over a day / week. */
async function pnlText(control: TelegramControl, tenantId: string, period: string | undefined): Promise<string> {
  const accounts = await control.queries.accounts(tenantId);
  if (period === undefined) {
    const positions = await control.queries.positions(tenantId, {});
    const lines = accounts.map((a) => {
      const mine = positions.filter((p) => p.accountId === a.accountId);
      const realised = sum(mine.map((p) => p.realizedPnl));
      const unrealised = sum(mine.map((p) => p.unrealizedPnl ?? '0'));
      const fees = sum(mine.map((p) => p.feesPaid));
      return `${a.name} (${a.accountId}): PnL after fees ${signed(realised.plus(unrealised).minus(fees))} ${a.quoteAsset} (realised ${signed(realised)}, unrealised ${signed(unrealised)}, fees ${shownDec(fees.toFixed())})`;
    });
    return list(lines, 'No accounts yet.');
  }
  if (period !== 'day' && period !== 'week') return 'Usage: /pnl, /pnl day or /pnl week';
  const to = control.now();
  const from = to - (period === 'day' ? 86_400_000 : 7 * 86_400_000);
  const lines = await Promise.all(accounts.map(async (a) => {
    const points = await control.equityCurve(tenantId, a.accountId, new Date(from).toISOString(), new Date(to).toISOString(), 10_000);
    const first = points[0];
    const last = points[points.length - 1];
    if (!first || !last || points.length < 2) return `${a.name} (${a.accountId}): no equity snapshots over the last ${period} yet`;
    return `${a.name} (${a.accountId}): equity ${signed(new Dec(last.equity).minus(first.equity))} ${a.quoteAsset} over the last ${period} (${shownDec(first.equity)} → ${shownDec(last.equity)})`;
  }));
  return list(lines, 'No accounts yet.');
}
