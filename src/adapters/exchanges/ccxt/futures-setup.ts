import { MarginModeAlreadySet, NotSupported } from 'ccxt';
import type { PlaceOrderResult } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { AccountEntry } from './account-entry.js';
import type { CcxtClient } from './ccxt-types.js';
import type { CallResult, ExchangeCaller } from './exchange-call.js';
import type { ErrorClassification } from './error-classification.js';

/** The leverage and margin mode an account wants on a symbol (issue 17). */
export interface WantedFuturesSettings {
  readonly leverage: number;
  readonly marginMode: 'isolated' | 'cross';
}

/** Where the gateway reads them: by account and PATRIOT's symbol ("BTC/USDT"); undefined: leave the exchange's own. */
export type FuturesSettingsSource = (accountId: string, symbol: string) => WantedFuturesSettings | undefined;

/** Stable codes of an order refused because its leverage or margin mode could not be set (nothing was sent). */
export const FuturesRejectCode = {
  /** the exchange refused the leverage or the margin mode (e.g. above the symbol's bracket, a position open) */
  REFUSED: 'FUTURES_SETTINGS_REFUSED',
  /** the exchange could not be asked, or its answer did not come (network, 5xx, rate limit) */
  UNAVAILABLE: 'FUTURES_SETTINGS_UNAVAILABLE',
} as const;

export interface FuturesSetupDeps {
  readonly settingsOf?: FuturesSettingsSource;
  readonly caller: ExchangeCaller;
  readonly log: Logger;
  readonly waitMs: number;
}

/**
 * Makes the exchange's leverage and margin mode of (account, symbol) equal the account's settings
 * before an order on a swap account is sent (ADR-0024). What was set is remembered per process:
 * the first order of a symbol after a start sets them (the calls are idempotent), later ones only
 * after the settings changed. When setting fails the order is not sent: it is refused with
 * FUTURES_SETTINGS_REFUSED (the exchange said no), or answered FUTURES_SETTINGS_UNAVAILABLE as not
 * placed (no answer: tried again, settings first, like any order the exchange never got), with the
 * exchange's reason; it never trades at a leverage nobody chose, and no outcome is unknown.
 */
export class FuturesSetup {
  private readonly applied = new Map<string, string>();

  constructor(private readonly deps: FuturesSetupDeps) {}

  /** undefined when the order may go (settings equal, or none wanted); else the refusal to answer. */
  async ensure(entry: AccountEntry, venueSymbol: string, symbol: string): Promise<Extract<PlaceOrderResult, { kind: 'rejected' | 'not_placed' }> | undefined> {
    if (entry.venue.spec.marketType !== 'swap') return undefined;
    const accountId = entry.config.accountId;
    const wanted = this.deps.settingsOf?.(accountId, symbol);
    if (!wanted) return undefined;
    const key = `${accountId}\n${symbol}`;
    const value = `${wanted.leverage}|${wanted.marginMode}`;
    if (this.applied.get(key) === value) return undefined;
    this.applied.delete(key);

    // the margin mode first: the exchange refuses to change it with a position or open orders, and then the leverage stays as it was too
    const mode = await this.deps.caller.call(entry, this.deps.waitMs, (client) => setMarginMode(client, wanted.marginMode, venueSymbol));
    const modeRefusal = refusalOf(mode, `margin mode ${wanted.marginMode}`, symbol);
    if (modeRefusal) return this.refused(accountId, symbol, modeRefusal);
    const leverage = await this.deps.caller.call(entry, this.deps.waitMs, (client) => {
      if (!client.setLeverage) throw new NotSupported(`${entry.config.exchangeId} cannot set leverage through ccxt`);
      return client.setLeverage(wanted.leverage, venueSymbol);
    });
    const leverageRefusal = refusalOf(leverage, `leverage ${wanted.leverage}`, symbol);
    if (leverageRefusal) return this.refused(accountId, symbol, leverageRefusal);
    this.applied.set(key, value);
    this.deps.log.info({ accountId, symbol, leverage: wanted.leverage, marginMode: wanted.marginMode }, 'leverage and margin mode set on the exchange');
    return undefined;
  }

  /** Forgets what was set for the account (its settings are set again before its next order). */
  forget(accountId: string): void {
    for (const key of this.applied.keys()) if (key.startsWith(`${accountId}\n`)) this.applied.delete(key);
  }

  /**
   * Refused by the exchange: the order is refused for good. Not answered (network, 5xx, rate
   * limit): nothing was sent, so it is `not_placed` and the executor tries the order again (settings
   * first) while it is young enough, then refuses it with this reason.
   */
  private refused(accountId: string, symbol: string, refusal: { code: string; reason: string }): { kind: 'rejected' | 'not_placed'; code: string; reason: string } {
    this.deps.log.warn({ accountId, symbol, code: refusal.code, reason: refusal.reason }, 'order not sent: leverage or margin mode could not be set');
    return { kind: refusal.code === FuturesRejectCode.UNAVAILABLE ? 'not_placed' : 'rejected', ...refusal };
  }
}

/** "Already in that mode" (Binance -4046 "No need to change margin type.") is success. */
async function setMarginMode(client: CcxtClient, marginMode: string, venueSymbol: string): Promise<unknown> {
  if (!client.setMarginMode) throw new NotSupported(`${client.id} cannot set the margin mode through ccxt`);
  try {
    return await client.setMarginMode(marginMode, venueSymbol);
  } catch (error) {
    if (error instanceof MarginModeAlreadySet || (error instanceof Error && /-4046|No need to change margin type/.test(error.message))) return { code: -4046 };
    throw error;
  }
}

function refusalOf(result: CallResult<unknown>, what: string, symbol: string): { code: string; reason: string } | undefined {
  if (result.ok) return undefined;
  if ('local' in result) return { code: FuturesRejectCode.UNAVAILABLE, reason: `${what} on ${symbol} could not be set, the order was not sent: ${result.reason}` };
  const c: ErrorClassification = result.error;
  const refused = c.kind === 'rejected' || c.kind === 'auth' || c.kind === 'clock' || c.kind === 'not_found' || c.kind === 'duplicate';
  return {
    code: refused ? FuturesRejectCode.REFUSED : FuturesRejectCode.UNAVAILABLE,
    reason: `${what} on ${symbol} ${refused ? 'was refused by the exchange' : 'could not be set'}, the order was not sent: ${c.reason}`,
  };
}
