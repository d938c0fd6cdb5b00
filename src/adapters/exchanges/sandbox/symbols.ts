import type { Market } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';

/** Binance's symbol id of a market: base and quote run together ("BTC/USDT" -> "BTCUSDT"). */
export function binanceSymbol(market: Market): string {
  return `${market.base}${market.quote}`;
}

/** Binance's symbol statuses the sandbox uses: TRADING, or halted (BREAK, HALT) where orders are refused. */
export type SymbolStatus = 'TRADING' | 'BREAK' | 'HALT';
export const SYMBOL_STATUSES: readonly SymbolStatus[] = ['TRADING', 'BREAK', 'HALT'];

/** The listed markets by Binance symbol id, with their trading status. */
export class SymbolTable {
  private readonly byId = new Map<string, Market>();
  private readonly byUnified = new Map<string, Market>();
  private readonly statuses = new Map<string, SymbolStatus>();

  /** `halted`: unified symbols or Binance ids listed with status BREAK. */
  constructor(readonly markets: readonly Market[], halted: readonly string[] = []) {
    for (const market of markets) {
      const id = binanceSymbol(market);
      if (this.byId.has(id)) throw new Error(`two markets map to the Binance symbol ${id}`);
      this.byId.set(id, market);
      this.byUnified.set(market.symbol, market);
    }
    for (const symbol of halted) {
      const market = this.find(symbol);
      if (market) this.statuses.set(market.symbol, 'BREAK');
    }
  }

  status(market: Market): SymbolStatus {
    return this.statuses.get(market.symbol) ?? 'TRADING';
  }

  setStatus(market: Market, status: SymbolStatus): void {
    if (status === 'TRADING') this.statuses.delete(market.symbol);
    else this.statuses.set(market.symbol, status);
  }

  market(id: string | undefined): Market | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** The market of a unified symbol ("BTC/USDT") or of a Binance id ("BTCUSDT"). */
  find(symbol: string): Market | undefined {
    return this.byUnified.get(symbol) ?? this.byId.get(symbol);
  }

  /** Binance id of a unified symbol; the unified symbol itself if it is not listed. */
  idOf(unified: string): string {
    const market = this.byUnified.get(unified);
    return market ? binanceSymbol(market) : unified.replace('/', '');
  }
}

/** Binance prints amounts with 8 decimals ("0.01000000"); finer values keep all their digits. */
export function binanceDecimal(value: string | Dec): string {
  const dec = typeof value === 'string' ? new Dec(value) : value;
  return dec.decimalPlaces() <= 8 ? dec.toFixed(8) : dec.toFixed();
}
