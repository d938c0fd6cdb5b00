import { api, errorText } from './api.js';
import { confirmAction, confirmKillSwitch } from './dialog.js';
import { toast } from './dom.js';
import type { KillSwitch } from './types.js';

/**
 * Engages or releases the global kill switch, or one account's, after a confirmation. Engaging
 * can also cancel the open orders and flatten the positions; flattening asks a second time.
 * True when something was recorded.
 */
export async function toggleKillSwitch(target: { accountId?: string; name?: string }, current: KillSwitch): Promise<boolean> {
  const engage = !current.engaged;
  const scope = target.accountId ? `the account "${target.name ?? target.accountId}"` : 'every account';
  let actions: { cancelOrders: boolean; flatten: boolean } | undefined = { cancelOrders: false, flatten: false };
  if (engage) {
    actions = await confirmKillSwitch(scope);
    if (!actions) return false;
    if (actions.flatten) {
      const sure = await confirmAction(
        'Close every position at market?',
        `Every open order of ${scope} is cancelled, then every strategy's position is closed with a market order. This cannot be undone.`,
        'Flatten',
      );
      if (!sure) return false;
    }
  } else if (!(await confirmAction('Release the kill switch?', `New orders of ${scope} will be allowed again.`, 'Release kill switch'))) return false;
  const path = target.accountId ? `/accounts/${encodeURIComponent(target.accountId)}/kill-switch` : '/kill-switch';
  const extra = engage ? { ...(actions.cancelOrders ? { cancelOrders: true } : {}), ...(actions.flatten ? { flatten: true } : {}) } : {};
  try {
    await api<KillSwitch>(path, { method: 'PUT', body: { engaged: engage, reason: 'from the dashboard', ...extra } });
    toast(!engage ? 'Kill switch released' : actions.flatten ? 'Kill switch engaged: cancelling orders, then flattening' : actions.cancelOrders ? 'Kill switch engaged: cancelling open orders' : 'Kill switch engaged');
    return true;
  } catch (error) {
    toast(`The kill switch did not change: ${errorText(error)}`);
    return false;
  }
}

/** With the switch engaged already: flatten the account (or every account) after a confirmation. */
export async function flattenNow(target: { accountId?: string; name?: string }): Promise<boolean> {
  const scope = target.accountId ? `the account "${target.name ?? target.accountId}"` : 'every account';
  const sure = await confirmAction(
    'Close every position at market?',
    `Every open order of ${scope} is cancelled, then every strategy's position is closed with a market order. The kill switch stays engaged. This cannot be undone.`,
    'Flatten',
  );
  if (!sure) return false;
  const path = target.accountId ? `/accounts/${encodeURIComponent(target.accountId)}/kill-switch` : '/kill-switch';
  try {
    await api<KillSwitch>(path, { method: 'PUT', body: { engaged: true, reason: 'from the dashboard', flatten: true } });
    toast('Flattening: cancelling orders, then closing positions');
    return true;
  } catch (error) {
    toast(`Nothing was flattened: ${errorText(error)}`);
    return false;
  }
}

/** An account's kill switch actions in words ("flattening…", "flattened"), for the accounts table. */
export function killSwitchActionsText(ks: KillSwitch): string | undefined {
  const a = ks.actions;
  if (!a) return undefined;
  const what = a.flatten ? 'flatten' : 'cancel orders';
  if (a.status === 'pending') return a.flatten ? 'flattening: waiting for open orders to end' : 'cancelling open orders';
  const closes = a.closes?.length ?? 0;
  return `${what} done: ${a.cancelled?.length ?? 0} cancelled${a.flatten ? `, ${closes} close order${closes === 1 ? '' : 's'}` : ''}`;
}
