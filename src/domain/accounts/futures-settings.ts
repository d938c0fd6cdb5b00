import type { AccountConfig } from './account.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/**
 * Leverage and margin mode of a futures (swap) account (issue 17): a default for every symbol
 * and overrides per symbol. Set on the exchange before the first order of a symbol and again
 * after a change (ADR-0024).
 */
export type MarginMode = 'isolated' | 'cross';
export const MARGIN_MODES: readonly MarginMode[] = ['isolated', 'cross'];

/** The highest leverage accepted here (Binance's highest bracket; each symbol's own limit is the exchange's to enforce). */
export const MAX_LEVERAGE = 125;

export interface SymbolFuturesSettings {
  readonly leverage?: number;
  readonly marginMode?: MarginMode;
}

export interface FuturesSettings {
  readonly leverage: number;
  readonly marginMode: MarginMode;
  /** by unified symbol, e.g. "BTC/USDT" */
  readonly symbols: Readonly<Record<string, SymbolFuturesSettings>>;
}

/** What applies to one symbol. */
export interface EffectiveFuturesSettings {
  readonly leverage: number;
  readonly marginMode: MarginMode;
}

const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/;
const MAX_SYMBOLS = 200;

const invalid = (code: string, message: string): Result<FuturesSettings, DomainError> => err({ code, message });

function leverageProblem(value: unknown, where: string): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LEVERAGE) return `${where} leverage must be a whole number from 1 to ${MAX_LEVERAGE}`;
  return undefined;
}

function marginProblem(value: unknown, where: string): string | undefined {
  return typeof value === 'string' && (MARGIN_MODES as readonly string[]).includes(value) ? undefined : `${where} marginMode must be 'isolated' or 'cross'`;
}

/**
 * Validates settings as given (e.g. from an API body): leverage an integer 1..125, margin mode
 * 'isolated' | 'cross', symbol overrides keyed by unified symbol ("BTC/USDT") with at least one
 * of the two. Answers the settings in canonical form (symbols sorted) or INVALID_FUTURES_SETTINGS.
 */
export function validateFuturesSettings(input: { leverage: unknown; marginMode: unknown; symbols?: unknown }): Result<FuturesSettings, DomainError> {
  const problem = leverageProblem(input.leverage, 'the default') ?? marginProblem(input.marginMode, 'the default');
  if (problem !== undefined) return invalid('INVALID_FUTURES_SETTINGS', problem);
  const raw = input.symbols ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('INVALID_FUTURES_SETTINGS', 'symbols must be an object keyed by symbol');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_SYMBOLS) return invalid('INVALID_FUTURES_SETTINGS', `at most ${MAX_SYMBOLS} symbol overrides`);
  const symbols: Record<string, SymbolFuturesSettings> = {};
  for (const [symbol, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!SYMBOL.test(symbol)) return invalid('INVALID_FUTURES_SETTINGS', `symbol ${JSON.stringify(symbol.slice(0, 40))} is not a symbol like BTC/USDT`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('INVALID_FUTURES_SETTINGS', `${symbol}: an override must be an object`);
    const { leverage, marginMode, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return invalid('INVALID_FUTURES_SETTINGS', `${symbol}: unknown field ${Object.keys(rest)[0]}`);
    if (leverage === undefined && marginMode === undefined) return invalid('INVALID_FUTURES_SETTINGS', `${symbol}: an override needs leverage or marginMode`);
    const bad = (leverage !== undefined ? leverageProblem(leverage, symbol) : undefined) ?? (marginMode !== undefined ? marginProblem(marginMode, symbol) : undefined);
    if (bad !== undefined) return invalid('INVALID_FUTURES_SETTINGS', bad);
    symbols[symbol] = { ...(leverage !== undefined ? { leverage: leverage as number } : {}), ...(marginMode !== undefined ? { marginMode: marginMode as MarginMode } : {}) };
  }
  return ok({ leverage: input.leverage as number, marginMode: input.marginMode as MarginMode, symbols });
}

/** Only futures accounts on a real exchange take these settings (FUTURES_SETTINGS_NOT_SUPPORTED otherwise). */
export function futuresSettingsRefusal(account: Pick<AccountConfig, 'exchange' | 'marketType'>): DomainError | undefined {
  if (account.exchange === 'paper') return { code: 'FUTURES_SETTINGS_NOT_SUPPORTED', message: 'a paper account trades spot: leverage and margin mode apply to swap accounts only' };
  if ((account.marketType ?? 'spot') !== 'swap') return { code: 'FUTURES_SETTINGS_NOT_SUPPORTED', message: 'a spot account has no leverage or margin mode: they apply to swap accounts only' };
  return undefined;
}

/** The leverage and margin mode that apply to `symbol` (unified, "BTC/USDT" or "BTC/USDT:USDT"). */
export function effectiveFuturesSettings(settings: FuturesSettings, symbol: string): EffectiveFuturesSettings {
  const override = settings.symbols[symbol.split(':')[0]!];
  return { leverage: override?.leverage ?? settings.leverage, marginMode: override?.marginMode ?? settings.marginMode };
}

/** Whether two settings say the same (same default and the same overrides). */
export function sameFuturesSettings(a: FuturesSettings | undefined, b: FuturesSettings): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
