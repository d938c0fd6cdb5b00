import { describe, expect, it } from 'vitest';
import { projectEvent, type DocAccess } from './project-event.js';
import type { RecordedEvent } from '../ports/event-store.js';
import type { ReadDoc } from '../ports/projection-store.js';
import type { OrderIntent, PatriotEvent } from '../../domain/events.js';

function harness() {
  const docs = new Map<string, ReadDoc>();
  const access: DocAccess = {
    get: (c, t, id) => docs.get(`${c}/${t}/${id}`),
    put: (d) => void docs.set(`${d.collection}/${d.tenantId}/${d.id}`, d),
  };
  let position = 0;
  const given = (...events: PatriotEvent[]) => {
    for (const e of events) {
      position++;
      const recorded: RecordedEvent = {
        globalPosition: position, streamId: 's', streamVersion: position, type: e.type, data: e.data as unknown as Record<string, unknown>,
        metadata: { tenantId: 't1', time: `2026-01-01T00:00:${String(position).padStart(2, '0')}.000Z` }, prevHash: '', hash: '',
      };
      projectEvent(recorded, access);
    }
  };
  const data = (collection: string, id: string) => docs.get(`${collection}/t1/${id}`)?.data;
  return { given, data };
}

const intent: OrderIntent = {
  clientOrderId: 'c1', accountId: 'a1', strategyId: 's1', signalId: 'sig1', symbol: 'BTC/USDT', side: 'buy', type: 'limit',
  quantity: '1', limitPrice: '100', referencePrice: '101', reduceOnly: false,
};
const fill = (tradeId: string, side: 'buy' | 'sell', quantity: string, price: string, fee: string, cumulativeQuantity: string, complete: boolean, clientOrderId = 'c1'): PatriotEvent => ({
  type: 'OrderFilled',
  data: { clientOrderId, accountId: 'a1', strategyId: 's1', tradeId, symbol: 'BTC/USDT', side, quantity, price, fee, feeCurrency: 'USDT', liquidity: 'maker', filledAt: 'x', cumulativeQuantity, complete },
});

describe('read-model projection', () => {
  const opened: PatriotEvent = {
    type: 'AccountOpened',
    data: { accountId: 'a1', tenantId: 't1', name: 'paper', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '1000' }], risk: {} },
  };
  const signal: PatriotEvent = {
    type: 'SignalReceived',
    data: { signalId: 'sig1', strategyId: 's1', idempotencyKey: 'k', receivedAt: 'x', bodySha256: 'h', format: 'patriot-json', signal: { action: 'buy', ticker: 'BTCUSDT', symbol: 'BTC/USDT' } },
  };

  it('given an order filled in two parts, then the order, fills, position and balances add up exactly', () => {
    const h = harness();
    h.given(
      opened, signal, { type: 'OrderApproved', data: intent },
      { type: 'SignalProcessed', data: { signalId: 'sig1', orders: [{ accountId: 'a1', clientOrderId: 'c1', outcome: 'approved' }], skipped: [] } },
      { type: 'OrderAccepted', data: { clientOrderId: 'c1', accountId: 'a1', exchangeOrderId: 'e1' } },
      fill('t1', 'buy', '0.4', '100', '0.008', '0.4', false),
      fill('t2', 'buy', '0.6', '100', '0.012', '1', true),
    );
    expect(h.data('orders', 'c1')).toMatchObject({ status: 'filled', filledQuantity: '1', averageFillPrice: '100', fees: '0.02', exchangeOrderId: 'e1' });
    expect(h.data('fills', 'a1:t1')).toMatchObject({ quantity: '0.4', price: '100' });
    expect(h.data('positions', 'a1:BTC/USDT')).toMatchObject({ quantity: '1', averageEntryPrice: '100', realizedPnl: '0', feesPaid: '0.02' });
    expect(h.data('balances', 'a1:USDT')).toMatchObject({ total: '899.98' });
    expect(h.data('balances', 'a1:BTC')).toMatchObject({ total: '1' });
    expect(h.data('signals', 'sig1')).toMatchObject({ outcome: 'accepted', orders: [{ clientOrderId: 'c1', status: 'filled' }] });
  });

  it('given a round trip, then realised PnL is in the position and the balances', () => {
    const h = harness();
    h.given(opened, { type: 'OrderApproved', data: intent }, fill('t1', 'buy', '1', '100', '0', '1', true),
      { type: 'OrderApproved', data: { ...intent, clientOrderId: 'c2', side: 'sell' } }, fill('t2', 'sell', '1', '110', '0', '1', true, 'c2'));
    expect(h.data('positions', 'a1:BTC/USDT')).toMatchObject({ quantity: '0', realizedPnl: '10' });
    expect(h.data('balances', 'a1:USDT')).toMatchObject({ total: '1010' });
  });

  it('given a risk rejection, then the order keeps the reasons and the signal outcome is rejected', () => {
    const h = harness();
    h.given(opened, signal, { type: 'OrderRejected', data: { ...intent, reasons: [{ code: 'MAX_ORDER_NOTIONAL', message: 'too big' }] } },
      { type: 'SignalProcessed', data: { signalId: 'sig1', orders: [{ accountId: 'a1', clientOrderId: 'c1', outcome: 'rejected' }], skipped: [] } });
    expect(h.data('orders', 'c1')).toMatchObject({ status: 'rejected', reasons: [{ code: 'MAX_ORDER_NOTIONAL' }] });
    expect(h.data('signals', 'sig1')).toMatchObject({ outcome: 'rejected', orders: [{ reasons: [{ code: 'MAX_ORDER_NOTIONAL' }] }] });
  });

  it('given kill switch events, then the account view follows them', () => {
    const h = harness();
    h.given(opened, { type: 'KillSwitchEngaged', data: { accountId: 'a1', reason: 'manual' } });
    expect(h.data('accounts', 'a1')).toMatchObject({ killSwitch: { engaged: true, reason: 'manual' } });
    h.given({ type: 'KillSwitchReleased', data: { accountId: 'a1' } }, { type: 'GlobalKillSwitchEngaged', data: { reason: 'panic' } });
    expect(h.data('accounts', 'a1')).toMatchObject({ killSwitch: { engaged: false } });
    expect(h.data('system', 'global')).toEqual({ killSwitch: { engaged: true, reason: 'panic' } });
  });

  it('given an authenticated but invalid alert, then the signal is listed as rejected with the code', () => {
    const h = harness();
    h.given({ type: 'SignalRejected', data: { signalId: 'sig9', strategyId: 's1', idempotencyKey: 'k', receivedAt: 'x', bodySha256: 'h', code: 'UNKNOWN_SYMBOL', message: 'nope' } });
    expect(h.data('signals', 'sig9')).toMatchObject({ outcome: 'rejected', rejection: { code: 'UNKNOWN_SYMBOL' } });
  });
  it('given an accepted order cancelled, then the order and its signal show it cancelled with the reason', () => {
    const h = harness();
    h.given(
      opened, signal, { type: 'OrderApproved', data: intent },
      { type: 'SignalProcessed', data: { signalId: 'sig1', orders: [{ accountId: 'a1', clientOrderId: 'c1', outcome: 'approved' }], skipped: [] } },
      { type: 'OrderAccepted', data: { clientOrderId: 'c1', accountId: 'a1', exchangeOrderId: 'e1' } },
      { type: 'OrderCancelled', data: { clientOrderId: 'c1', accountId: 'a1', reason: 'cancelled by the user' } },
    );
    expect(h.data('orders', 'c1')).toMatchObject({ status: 'cancelled', statusReason: 'cancelled by the user', filledQuantity: '0' });
    expect(h.data('signals', 'sig1')).toMatchObject({ orders: [{ clientOrderId: 'c1', status: 'cancelled' }] });
  });

  it('given a cancelled order, when a late partial fill arrives, then it stays cancelled and the fill still counts', () => {
    const h = harness();
    h.given(
      opened, signal, { type: 'OrderApproved', data: intent },
      { type: 'SignalProcessed', data: { signalId: 'sig1', orders: [{ accountId: 'a1', clientOrderId: 'c1', outcome: 'approved' }], skipped: [] } },
      { type: 'OrderAccepted', data: { clientOrderId: 'c1', accountId: 'a1', exchangeOrderId: 'e1' } },
      { type: 'OrderCancelled', data: { clientOrderId: 'c1', accountId: 'a1', reason: 'user' } },
      fill('t1', 'buy', '0.4', '100', '0', '0.4', false),
    );
    expect(h.data('orders', 'c1')).toMatchObject({ status: 'cancelled', filledQuantity: '0.4' });
    expect(h.data('signals', 'sig1')).toMatchObject({ orders: [{ clientOrderId: 'c1', status: 'cancelled' }] });
    expect(h.data('positions', 'a1:BTC/USDT')).toMatchObject({ quantity: '0.4' });
  });
});
