import type { KillSwitchOptions } from '../application/commands/kill-switch.js';
import { err, ok, type DomainError, type Result } from '../domain/shared/result.js';

/**
 * The kill switch body's actions (issue 17): cancelOrders and flatten only with engaged: true
 * (KILL_SWITCH_ACTIONS_NEED_ENGAGE: a release never cancels or closes anything).
 */
export function killSwitchOptions(
  body: { readonly engaged: boolean; readonly cancelOrders?: boolean; readonly flatten?: boolean },
  by: string,
): Result<KillSwitchOptions | undefined, DomainError> {
  const asked = body.cancelOrders === true || body.flatten === true;
  if (asked && !body.engaged) return err({ code: 'KILL_SWITCH_ACTIONS_NEED_ENGAGE', message: 'cancelOrders and flatten go with engaged: true (releasing the switch cancels and closes nothing)' });
  return ok(asked ? { cancelOrders: body.cancelOrders === true, flatten: body.flatten === true, by } : undefined);
}
