import type { TradingView } from '../../application/workflows/trading-state.js';
import type { Core } from './core.js';
import type { Markets } from './markets.js';

/**
 * Every known account set up on its exchange with its market list (the kept one at once, a fresh
 * one loaded in the background), and its prices followed for what is in use: positions, open
 * orders and mapped symbols (routing and dashboards add theirs). Returns the stop function.
 */
export async function followAccounts(core: Core, markets: Markets, view: TradingView): Promise<() => void> {
  for (const account of view.current.allAccounts()) {
    markets.exchanges.register(account);
    await markets.marketLists.register(account);
  }
  markets.marketLists.start();
  const followInUse = (): void => {
    for (const account of view.current.allAccounts()) {
      try {
        markets.prices.follow('in-use', account, view.current.symbolsInUse(account.accountId));
      } catch (error) {
        core.log.warn({ accountId: account.accountId, reason: String(error) }, 'following the prices of an account failed');
      }
    }
  };
  followInUse();
  const timer = setInterval(followInUse, 5000);
  timer.unref();
  return () => clearInterval(timer);
}
