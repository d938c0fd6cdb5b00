import { api, errorText } from './api.js';
import { confirmAction } from './dialog.js';
import { toast } from './dom.js';
import type { KillSwitch } from './types.js';

/** Engages or releases the global kill switch, or one account's, after a confirmation. True when it changed. */
export async function toggleKillSwitch(target: { accountId?: string; name?: string }, current: KillSwitch): Promise<boolean> {
  const engage = !current.engaged;
  const scope = target.accountId ? `the account "${target.name ?? target.accountId}"` : 'every account';
  const confirmed = await confirmAction(
    engage ? 'Engage the kill switch?' : 'Release the kill switch?',
    engage ? `Every new order of ${scope} will be refused until the switch is released. Orders already sent are not cancelled.` : `New orders of ${scope} will be allowed again.`,
    engage ? 'Engage kill switch' : 'Release kill switch',
  );
  if (!confirmed) return false;
  const path = target.accountId ? `/accounts/${encodeURIComponent(target.accountId)}/kill-switch` : '/kill-switch';
  try {
    await api<KillSwitch>(path, { method: 'PUT', body: { engaged: engage, reason: 'from the dashboard' } });
    toast(engage ? 'Kill switch engaged' : 'Kill switch released');
    return true;
  } catch (error) {
    toast(`The kill switch did not change: ${errorText(error)}`);
    return false;
  }
}
