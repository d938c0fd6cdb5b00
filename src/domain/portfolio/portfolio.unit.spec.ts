import { describe, expect, it } from 'vitest';
import {
  applyPortfolioEvent,
  balanceOf,
  emptyPortfolio,
  foldPortfolio,
  netRealizedPnl,
  positionOf,
  positionQuantity,
  unpricedSymbols,
  unrealizedPnl,
  type Portfolio,
} from './portfolio.js';
import type { AccountConfig } from '../accounts/account.js';
import type { EventOf, OrderIntent, PatriotEvent } from '../events.js';
import { Dec, dec } from '../shared/decimal.js';

const config: AccountConfig = {
  accountId: 'acc-1',
  tenantId: 't-1',
  name: 'Paper',
  exchange: 'paper',
  quoteAsset: 'USDT',
  initialBalances: [{ asset: 'USDT', amount: '1000' }],
  risk: {},
};

const intent = (clientOrderId: string, side: 'buy' | 'sell', quantity: string, symbol = 'BTC/USDT', accountId = 'acc-1'): OrderIntent => ({
  clientOrderId,
  accountId,
  strategyId: 's-1',
  signalId: 'sig-1',
  symbol,
  side,
  type: 'market',
  quantity,
  referencePrice: '100',
  reduceOnly: false,
});
const approve = (i: OrderIntent): PatriotEvent => ({ type: 'OrderApproved', data: i });
let trade = 0;
const fill = (
  i: OrderIntent,
  quantity: string,
  price: string,
  cumulativeQuantity: string,
  fee = '0',
  feeCurrency = 'USDT',
): EventOf<'OrderFilled'> => ({
  type: 'OrderFilled',
  data: {
    clientOrderId: i.clientOrderId,
    accountId: i.accountId,
    strategyId: i.strategyId,
    tradeId: `t${(trade += 1)}`,
    symbol: i.symbol,
    side: i.side,
    quantity,
    price,
    fee,
    feeCurrency,
    liquidity: 'taker',
    filledAt: '2024-01-01T00:00:00.000Z',
    cumulativeQuantity,
    complete: new Dec(cumulativeQuantity).equals(i.quantity),
  },
});
const opened: PatriotEvent = { type: 'AccountOpened', data: config };
const balances = (p: Portfolio) => Object.fromEntries([...p.balances].map(([k, v]) => [k, v.toFixed()]));

describe('portfolio: partial fills', () => {
  const buy = intent('o-buy', 'buy', '1');
  const sell = intent('o-sell', 'sell', '1');

  it('buy 0.5 @ 100, buy 0.5 @ 110, sell 1 @ 120 (in two partial fills) → realised 15 before fees', () => {
    let p = applyPortfolioEvent(emptyPortfolio(config), opened);
    expect(balances(p)).toEqual({ USDT: '1000' });

    p = applyPortfolioEvent(p, approve(buy));

    p = applyPortfolioEvent(p, fill(buy, '0.5', '100', '0.5', '0.05'));
    expect(positionQuantity(p, 'BTC/USDT').toFixed()).toBe('0.5');
    expect(balances(p)).toEqual({ USDT: '949.95', BTC: '0.5' });

    p = applyPortfolioEvent(p, fill(buy, '0.5', '110', '1', '0.055'));
    expect(positionQuantity(p, 'BTC/USDT').toFixed()).toBe('1');
    expect(positionOf(p, 'BTC/USDT').averageEntryPrice.toFixed()).toBe('105');
    expect(balances(p)).toEqual({ USDT: '894.895', BTC: '1' });

    p = applyPortfolioEvent(p, approve(sell));
    p = applyPortfolioEvent(p, fill(sell, '0.4', '120', '0.4', '0.048'));
    expect(positionQuantity(p, 'BTC/USDT').toFixed()).toBe('0.6');
    expect(p.realizedPnl.toFixed()).toBe('6');
    expect(unrealizedPnl(p, () => dec('130')).toFixed()).toBe('15'); // (130 - 105) × 0.6

    p = applyPortfolioEvent(p, fill(sell, '0.6', '120', '1', '0.072'));
    expect(positionQuantity(p, 'BTC/USDT').toFixed()).toBe('0');
    expect(p.realizedPnl.toFixed()).toBe('15');
    expect(p.fees.toFixed()).toBe('0.225');
    expect(netRealizedPnl(p).toFixed()).toBe('14.775');
    expect(balances(p)).toEqual({ USDT: '1014.775', BTC: '0' });
    expect(balanceOf(p, 'USDT').minus('1000').toFixed()).toBe(netRealizedPnl(p).toFixed());
    expect(unrealizedPnl(p, () => dec('999')).toFixed()).toBe('0');
  });

  it('a short: sell 2 @ 50 then buy back 2 @ 45 in three fills → realised 10', () => {
    const short = intent('o-s', 'sell', '2', 'ETH/USDT');
    const cover = intent('o-c', 'buy', '2', 'ETH/USDT');
    const p = foldPortfolio(config, [
      opened,
      approve(short),
      fill(short, '2', '50', '2'),
      approve(cover),
      fill(cover, '0.5', '45', '0.5'),
      fill(cover, '0.7', '45', '1.2'),
      fill(cover, '0.8', '45', '2'),
    ]);
    expect(positionQuantity(p, 'ETH/USDT').toFixed()).toBe('0');
    expect(p.realizedPnl.toFixed()).toBe('10');
    expect(balances(p)).toEqual({ USDT: '1010', ETH: '0' });
  });
});

describe('portfolio: fees', () => {
  it('a fee in the base asset is valued at the fill price; a third-asset fee is only counted by currency', () => {
    const buy = intent('o-1', 'buy', '1');
    const buy2 = intent('o-2', 'buy', '1');
    const p = foldPortfolio(config, [opened, approve(buy), fill(buy, '1', '100', '1', '0.001', 'BTC'), approve(buy2), fill(buy2, '1', '100', '1', '0.01', 'BNB')]);
    expect(balances(p)).toEqual({ USDT: '800', BTC: '1.999', BNB: '-0.01' });
    expect(p.fees.toFixed()).toBe('0.1');
    expect(Object.fromEntries([...p.feesByCurrency].map(([k, v]) => [k, v.toFixed()]))).toEqual({ BTC: '0.001', BNB: '0.01' });
  });
});

describe('portfolio: derivatives', () => {
  it('a linear perpetual credits realised PnL to the settle asset and holds no base', () => {
    const long = intent('o-1', 'buy', '1', 'BTC/USDT:USDT');
    const close = intent('o-2', 'sell', '1', 'BTC/USDT:USDT');
    const p = foldPortfolio(config, [opened, approve(long), fill(long, '1', '100', '1', '0.1'), approve(close), fill(close, '1', '110', '1', '0.1')]);
    expect(balances(p)).toEqual({ USDT: '1009.8' });
    expect(p.realizedPnl.toFixed()).toBe('10');
  });
});

describe('portfolio: other accounts', () => {
  it('ignores other accounts', () => {
    const other = intent('o-x', 'buy', '1', 'BTC/USDT', 'acc-2');
    const p = foldPortfolio(config, [
      opened,
      { type: 'AccountOpened', data: { ...config, accountId: 'acc-2', initialBalances: [{ asset: 'USDT', amount: '5' }] } },
      approve(other),
      fill(other, '1', '100', '1'),
      { type: 'KillSwitchEngaged', data: { accountId: 'acc-2', reason: 'x' } },
    ]);
    expect(balances(p)).toEqual({ USDT: '1000' });
    expect(p.positions.size).toBe(0);
    expect(p.killSwitch.engaged).toBe(false);
  });
});

describe('portfolio: kill switch and unrealised PnL', () => {
  it('tracks the account kill switch', () => {
    let p = foldPortfolio(config, [opened, { type: 'KillSwitchEngaged', data: { accountId: 'acc-1', reason: 'drawdown' } }]);
    expect(p.killSwitch).toEqual({ engaged: true, reason: 'drawdown' });
    p = applyPortfolioEvent(p, { type: 'KillSwitchReleased', data: { accountId: 'acc-1' } });
    expect(p.killSwitch).toEqual({ engaged: false });
  });

  it('sums unrealised PnL over priced positions and reports unpriced ones', () => {
    const btc = intent('o-1', 'buy', '2');
    const eth = intent('o-2', 'sell', '3', 'ETH/USDT');
    const sol = intent('o-3', 'buy', '1', 'SOL/USDT');
    const p = foldPortfolio(config, [opened, approve(btc), fill(btc, '2', '100', '2'), approve(eth), fill(eth, '3', '50', '3'), approve(sol), fill(sol, '1', '10', '1')]);
    const marks: Record<string, Dec> = { 'BTC/USDT': dec('101.5'), 'ETH/USDT': dec('52') };
    const mark = (symbol: string) => marks[symbol];
    expect(unrealizedPnl(p, mark).toFixed()).toBe('-3'); // 2 × 1.5 + (-3) × 2
    expect(unpricedSymbols(p, mark)).toEqual(['SOL/USDT']);
  });
});
