import type { Market } from '../../../application/ports/exchange.js';
import { Dec, ZERO } from '../../../domain/shared/decimal.js';
import { RATE_LIMITS } from './exchange-info.js';
import { FUTURES_ASSET, type FuturesBook, type FuturesOrder, type FuturesPosition, type FuturesTrade } from './futures-book.js';
import { binanceSymbol } from './symbols.js';

/** Binance's USDⓈ-M futures shapes (what ccxt's binance parses with defaultType 'swap'). */

const text = (value: Dec) => value.toFixed();
const digits = (step: string) => Math.max(0, new Dec(step).decimalPlaces());

/** The markets listed as USDⓈ-M perpetuals: the USDT-quoted ones. */
export function futuresMarkets(markets: readonly Market[]): Market[] {
  return markets.filter((m) => m.quote === FUTURES_ASSET);
}

/** GET /fapi/v1/exchangeInfo */
export function futuresExchangeInfo(markets: readonly Market[], serverTime: number, tradingOf: (market: Market) => boolean): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: RATE_LIMITS,
    exchangeFilters: [],
    assets: [{ asset: FUTURES_ASSET, marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: futuresMarkets(markets).map((market) => ({
      symbol: binanceSymbol(market),
      pair: binanceSymbol(market),
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: tradingOf(market) ? 'TRADING' : 'SETTLING',
      maintMarginPercent: '2.5000',
      requiredMarginPercent: '5.0000',
      baseAsset: market.base,
      quoteAsset: market.quote,
      marginAsset: FUTURES_ASSET,
      pricePrecision: digits(market.tickSize),
      quantityPrecision: digits(market.stepSize),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      underlyingSubType: [],
      triggerProtect: '0.0500',
      liquidationFee: '0.012500',
      marketTakeBound: '0.05',
      maxMoveOrderLimit: 10000,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: market.tickSize, maxPrice: '4529764', tickSize: market.tickSize },
        { filterType: 'LOT_SIZE', minQty: market.minQty, maxQty: market.maxQty, stepSize: market.stepSize },
        { filterType: 'MARKET_LOT_SIZE', minQty: market.minQty, maxQty: market.maxQty, stepSize: market.stepSize },
        { filterType: 'MAX_NUM_ORDERS', limit: 200 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
        { filterType: 'MIN_NOTIONAL', notional: market.minNotional },
        { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
      ],
      orderTypes: ['LIMIT', 'MARKET'],
      timeInForce: ['GTC'],
    })),
  };
}

const avgPrice = (order: FuturesOrder) => (order.executedQty.isZero() ? ZERO : order.cumQuote.dividedBy(order.executedQty));

/** GET /fapi/v1/order, openOrders and allOrders entries; POST/DELETE answers add cumQty. */
export function futuresOrderView(order: FuturesOrder, symbolId: string): Record<string, unknown> {
  return {
    orderId: order.orderId,
    symbol: symbolId,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: text(order.price ?? ZERO),
    avgPrice: text(avgPrice(order)),
    origQty: text(order.origQty),
    executedQty: text(order.executedQty),
    cumQty: text(order.executedQty),
    cumQuote: text(order.cumQuote),
    timeInForce: order.type === 'LIMIT' ? 'GTC' : 'GTC',
    type: order.type,
    origType: order.type,
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: order.side,
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: order.time,
    updateTime: order.updateTime,
  };
}

/** GET /fapi/v1/userTrades entry. */
export function futuresTradeView(trade: FuturesTrade, symbolId: string): Record<string, unknown> {
  return {
    symbol: symbolId,
    id: trade.id,
    orderId: trade.orderId,
    side: trade.side,
    price: text(trade.price),
    qty: text(trade.qty),
    realizedPnl: text(trade.realizedPnl),
    quoteQty: text(trade.qty.times(trade.price)),
    commission: text(trade.commission),
    commissionAsset: FUTURES_ASSET,
    time: trade.time,
    positionSide: 'BOTH',
    buyer: trade.side === 'BUY',
    maker: trade.maker,
  };
}

/** GET /fapi/v2/positionRisk entry (with leverage and marginType) or /fapi/v3/positionRisk (without). */
export function positionRiskView(book: FuturesBook, position: FuturesPosition, market: Market, version: 2 | 3, now: number): Record<string, unknown> {
  const mark = position.amount.isZero() ? position.entryPrice : position.entryPrice.plus(book.unrealized(position).dividedBy(position.amount));
  const notional = position.amount.times(mark);
  const margin = book.initialMargin(position);
  const isolated = position.settings.marginType === 'ISOLATED';
  const common = {
    symbol: binanceSymbol(market),
    positionSide: 'BOTH',
    positionAmt: text(position.amount),
    entryPrice: text(position.entryPrice),
    breakEvenPrice: text(position.entryPrice),
    markPrice: text(mark),
    unRealizedProfit: text(book.unrealized(position)),
    liquidationPrice: '0',
    isolatedMargin: text(isolated ? margin : ZERO),
    notional: text(notional),
    isolatedWallet: text(isolated ? margin : ZERO),
    updateTime: now,
  };
  if (version === 2) {
    return { ...common, leverage: String(position.settings.leverage), maxNotionalValue: '1000000000', marginType: isolated ? 'isolated' : 'cross', isAutoAddMargin: 'false' };
  }
  return { ...common, marginAsset: FUTURES_ASSET, initialMargin: text(margin), maintMargin: text(notional.abs().times('0.004')), positionInitialMargin: text(margin), openOrderInitialMargin: '0', adl: 0, bidNotional: '0', askNotional: '0' };
}

/** GET /fapi/v2|v3/account */
export function futuresAccountView(book: FuturesBook, accountId: string, marketOf: (symbol: string) => Market | undefined, now: number): Record<string, unknown> {
  const wallet = book.wallet(accountId);
  const positions = book.positions(accountId).filter((p) => !p.amount.isZero());
  const unrealized = positions.reduce((sum, p) => sum.plus(book.unrealized(p)), ZERO);
  const positionMargin = positions.reduce((sum, p) => sum.plus(book.initialMargin(p)), ZERO);
  const orderMargin = book.orderMargin(accountId);
  const available = book.available(accountId);
  const totals = {
    totalInitialMargin: text(positionMargin.plus(orderMargin)),
    totalMaintMargin: '0',
    totalWalletBalance: text(wallet),
    totalUnrealizedProfit: text(unrealized),
    totalMarginBalance: text(wallet.plus(unrealized)),
    totalPositionInitialMargin: text(positionMargin),
    totalOpenOrderInitialMargin: text(orderMargin),
    totalCrossWalletBalance: text(wallet),
    totalCrossUnPnl: text(unrealized),
    availableBalance: text(available),
    maxWithdrawAmount: text(Dec.max(ZERO, available)),
  };
  return {
    ...totals,
    canTrade: true,
    canDeposit: true,
    canWithdraw: false,
    feeTier: 0,
    updateTime: 0,
    multiAssetsMargin: false,
    assets: [
      {
        asset: FUTURES_ASSET,
        walletBalance: text(wallet),
        unrealizedProfit: text(unrealized),
        marginBalance: text(wallet.plus(unrealized)),
        maintMargin: '0',
        initialMargin: text(positionMargin.plus(orderMargin)),
        positionInitialMargin: text(positionMargin),
        openOrderInitialMargin: text(orderMargin),
        crossWalletBalance: text(wallet),
        crossUnPnl: text(unrealized),
        availableBalance: text(available),
        maxWithdrawAmount: text(Dec.max(ZERO, available)),
        marginAvailable: true,
        updateTime: now,
      },
    ],
    positions: positions.flatMap((p) => {
      const market = marketOf(p.symbol);
      return market ? [{ symbol: binanceSymbol(market), positionSide: 'BOTH', positionAmt: text(p.amount), unrealizedProfit: text(book.unrealized(p)), isolatedMargin: '0', notional: text(p.amount.times(p.entryPrice)), isolatedWallet: '0', initialMargin: text(book.initialMargin(p)), maintMargin: '0', updateTime: now }] : [];
    }),
  };
}
