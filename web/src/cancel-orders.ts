import { api, errorText } from './api.js';
import { confirmAction } from './dialog.js';
import { toast } from './dom.js';
import type { Order } from './types.js';
import { shownQuantity } from './markets.js';

/**
 * Cancels (issue 17), each after a confirmation. The request is recorded first and answered 202;
 * the order's status follows the exchange's answer (live updates refresh the lists). True when asked.
 */
export async function cancelOrder(order: Pick<Order, 'clientOrderId' | 'accountId' | 'symbol' | 'side' | 'quantity'>): Promise<boolean> {
  const confirmed = await confirmAction('Cancel this order?', `The ${order.side} order of ${shownQuantity(order, order.quantity)} ${order.symbol} will be cancelled on the exchange. A fill that arrives first is still recorded.`, 'Cancel order');
  if (!confirmed) return false;
  try {
    await api(`/orders/${encodeURIComponent(order.clientOrderId)}/cancel`, { method: 'POST', body: { reason: 'from the dashboard' } });
    toast('Cancel requested');
    return true;
  } catch (error) {
    toast(`The order was not cancelled: ${errorText(error)}`);
    return false;
  }
}

/** Cancels every open order of an account. */
export async function cancelAccountOrders(account: { accountId: string; name: string }): Promise<boolean> {
  const confirmed = await confirmAction('Cancel every open order?', `Every open order of the account "${account.name}" will be cancelled on the exchange. Positions stay as they are.`, 'Cancel open orders');
  if (!confirmed) return false;
  try {
    const answer = await api<{ requested: unknown[] }>(`/accounts/${encodeURIComponent(account.accountId)}/cancel-orders`, { method: 'POST', body: { reason: 'from the dashboard' } });
    toast(answer.requested.length === 0 ? 'No open orders to cancel' : `Cancel requested for ${answer.requested.length} order(s)`);
    return true;
  } catch (error) {
    toast(`The orders were not cancelled: ${errorText(error)}`);
    return false;
  }
}
