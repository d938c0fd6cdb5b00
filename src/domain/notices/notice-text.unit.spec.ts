import { describe, expect, it } from 'vitest';
import { noticeText } from './notice-text.js';
import type { Notice } from './notice.js';

const notice = (type: string, data: Record<string, unknown>, kind: Notice['kind'] = 'fill'): Notice => ({ id: 'evt_1', type, kind, time: '2026-12-07T00:00:00.000Z', tenantId: 't1', data });

describe('a notice in words (issue 19)', () => {
  it('says what happened, with the numbers as recorded', () => {
    expect(noticeText(notice('OrderFilled', { side: 'sell', quantity: '0.5', symbol: 'ETH/USDT', price: '3000', fee: '1.5', feeCurrency: 'USDT', accountId: 'a1', clientOrderId: 'c9', complete: false })))
      .toBe('Partial fill: SELL 0.5 ETH/USDT @ 3000 on a1 (fee 1.5 USDT, order c9)');
    expect(noticeText(notice('OrderRejected', { side: 'buy', quantity: '1', symbol: 'BTC/USDT', accountId: 'a1', reasons: [{ code: 'KILL_SWITCH_ACCOUNT', message: '…' }, { code: 'MAX_ORDER_NOTIONAL', message: '…' }] }, 'order_rejected')))
      .toBe('Order refused by risk: BUY 1 BTC/USDT on a1 (KILL_SWITCH_ACCOUNT, MAX_ORDER_NOTIONAL)');
    expect(noticeText(notice('GlobalKillSwitchReleased', {}, 'kill_switch'))).toBe('Global kill switch released');
    expect(noticeText(notice('AccountReconciled', { accountId: 'a1', trigger: 'takeover', differences: [{}, {}] }, 'reconciliation'))).toBe('Reconciliation on a1 (takeover): 2 differences with the exchange');
  });
  it('cuts text that came from outside', () => {
    const text = noticeText(notice('SignalRejected', { strategyId: 's1', code: 'UNKNOWN_SYMBOL', message: 'x'.repeat(5000) }, 'alert_rejected'));
    expect(text.length).toBeLessThan(400);
    expect(text.endsWith('…')).toBe(true);
  });
});
