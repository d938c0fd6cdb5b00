import type { RiskLimits } from '../risk/limits.js';
import type { FuturesSettings } from './futures-settings.js';

export interface AccountConfig {
  readonly accountId: string;
  readonly tenantId: string;
  readonly name: string;
  /** 'paper' for the built-in simulator, else a ccxt exchange id ('binance', 'bybit', 'okx', ...) */
  readonly exchange: string;
  /** for a ccxt exchange: spot (default) or USDT-margined perpetual swaps */
  readonly marketType?: 'spot' | 'swap';
  /** asset PnL and notionals are measured in, e.g. USDT */
  readonly quoteAsset: string;
  readonly initialBalances: readonly { readonly asset: string; readonly amount: string }[];
  readonly risk: RiskLimits;
  /** a swap account's leverage and margin mode, default and per symbol (issue 17); absent: the exchange's own */
  readonly futures?: FuturesSettings;
}
