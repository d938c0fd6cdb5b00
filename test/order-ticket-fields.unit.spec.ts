/**
 * The dashboard's order ticket (issue 17) -> alert fields: every order type sends only the fields it
 * uses, and the ready-to-paste TradingView message of each is read by the webhook's own parser and
 * normaliser as the order the ticket shows (so pasting it into an alert places the same order).
 */
import { describe, expect, it } from 'vitest';
import { alertFields, describeOrder, shownFor, tradingViewMessage, type Ticket } from '../web/src/order-fields.js';
import { readAlertEnvelope } from '../src/domain/signals/alert-envelope.js';
import { normalizeSignal } from '../src/domain/signals/normalize-signal.js';

const blank: Ticket = {
  action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', orderType: 'market', limitPrice: '', stopPrice: '', trailingBy: 'percent', trailing: '',
  bracket: false, takeProfit: '', takeProfitSplit: '', stopLoss: '', stopLossLimit: '', breakEven: false, comment: '',
};

function read(fields: Record<string, string>) {
  const message = tradingViewMessage(fields);
  expect(message).toContain('"timenow": "{{timenow}}"');
  // as TradingView sends it: the placeholder filled in
  const envelope = readAlertEnvelope(message.replace('{{timenow}}', '2026-12-07T08:00:00Z'));
  if (!envelope.ok) throw new Error(envelope.error.message);
  expect(envelope.value.secret).toBe('YOUR_WEBHOOK_SECRET');
  expect(envelope.value.fields).not.toHaveProperty('secret');
  const signal = normalizeSignal(envelope.value, { listedSymbols: ['BTC/USDT'], symbolMap: {} });
  if (!signal.ok) throw new Error(`${signal.error.code}: ${signal.error.message}`);
  return signal.value;
}

describe('order ticket fields', () => {
  it('market: the action, ticker and quantity; a limit price left in a hidden input is not sent', () => {
    const fields = alertFields({ ...blank, limitPrice: '90000', stopPrice: '1', trailing: '2', takeProfit: '2%' });
    expect(fields).toEqual({ action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', order_type: 'market' });
    expect(read(fields)).toMatchObject({ action: 'buy', symbol: 'BTC/USDT', quantity: '0.01', orderType: 'market' });
    expect(read(fields).limitPrice).toBeUndefined();
  });

  it('limit, stop, stop-limit, take-profit and take-profit limit each send their prices', () => {
    const prices = { limitPrice: '96000', stopPrice: '95000' };
    expect(read(alertFields({ ...blank, ...prices, orderType: 'limit' }))).toMatchObject({ orderType: 'limit', limitPrice: '96000' });
    expect(read(alertFields({ ...blank, ...prices, action: 'sell', orderType: 'stop' }))).toMatchObject({ orderType: 'stop_market', stopPrice: '95000' });
    expect(read(alertFields({ ...blank, ...prices, action: 'sell', orderType: 'stop_limit' }))).toMatchObject({ orderType: 'stop_limit', stopPrice: '95000', limitPrice: '96000' });
    expect(read(alertFields({ ...blank, ...prices, action: 'sell', orderType: 'take_profit' }))).toMatchObject({ orderType: 'take_profit', stopPrice: '95000' });
    expect(read(alertFields({ ...blank, ...prices, action: 'sell', orderType: 'take_profit_limit' }))).toMatchObject({ orderType: 'take_profit_limit', stopPrice: '95000', limitPrice: '96000' });
    expect(shownFor({ ...blank, orderType: 'stop' })).toMatchObject({ stopPrice: true, limitPrice: false, bracket: false });
  });

  it('a trailing stop by percent or by distance', () => {
    expect(alertFields({ ...blank, action: 'sell', orderType: 'trailing', trailing: '1.5' })).toEqual({ action: 'sell', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', trailing_percent: '1.5' });
    expect(read(alertFields({ ...blank, action: 'sell', orderType: 'trailing', trailing: '1.5' }))).toMatchObject({ orderType: 'stop_market', trailingPercent: '1.5' });
    expect(read(alertFields({ ...blank, action: 'sell', orderType: 'trailing', trailingBy: 'distance', trailing: '250' }))).toMatchObject({ orderType: 'stop_market', trailingDistance: '250' });
  });

  it('a bracket with levels, a split, a stop-limit stop and break-even; percent sizing', () => {
    const ticket: Ticket = { ...blank, quantity: '25%', bracket: true, takeProfit: '99000, 101000', takeProfitSplit: '30, 70', stopLoss: '96000', stopLossLimit: '95900', breakEven: true, comment: 'by hand' };
    const fields = alertFields(ticket);
    expect(fields).toEqual({ action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '25%', order_type: 'market', take_profit: '99000,101000', take_profit_split: '30,70', stop_loss: '96000', stop_loss_limit: '95900', break_even: 'true', comment: 'by hand' });
    expect(read(fields)).toMatchObject({
      quantityPercent: '25',
      bracket: { takeProfits: [{ price: '99000' }, { price: '101000' }], split: ['30', '70'], stopLoss: { price: '96000' }, stopLossLimit: { price: '95900' }, breakEven: true },
    });
    expect(describeOrder(fields)).toBe('Buy 25% BINANCE:BTCUSDT: market; take-profit 99000,101000 split 30,70, stop-loss 96000 (stop-limit 95900), stop to break-even after the first take-profit.');
    // the bracket is not offered for a stop entry, nor its fields sent
    expect(shownFor({ ...ticket, orderType: 'stop' })).toMatchObject({ bracket: false, bracketFields: false });
    expect(alertFields({ ...ticket, orderType: 'stop', stopPrice: '98000' })).not.toHaveProperty('take_profit');
  });

  it('close (a percent of the position) and cancel send no order type nor prices', () => {
    const close = alertFields({ ...blank, action: 'close', quantity: '50%', orderType: 'limit', limitPrice: '1', bracket: true, takeProfit: '2%' });
    expect(close).toEqual({ action: 'close', ticker: 'BINANCE:BTCUSDT', quantity: '50%' });
    expect(read(close)).toMatchObject({ action: 'close', quantityPercent: '50' });
    const cancel = alertFields({ ...blank, action: 'cancel' });
    expect(cancel).toEqual({ action: 'cancel', ticker: 'BINANCE:BTCUSDT' });
    expect(read(cancel)).toMatchObject({ action: 'cancel', symbol: 'BTC/USDT' });
    expect(read(alertFields({ ...blank, action: 'exit_long', quantity: '' }))).toMatchObject({ action: 'close', closeSide: 'long' });
  });
});
