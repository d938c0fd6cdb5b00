import { api, errorText } from './api.js';
import { confirmAction } from './dialog.js';
import { h, toast } from './dom.js';

/** What the strategy list needs to show a strategy's run state (ADR-0019). */
export interface Controlled { strategyId: string; name: string; status?: 'active' | 'paused'; pausedReason?: string }

const path = (s: Controlled, action = '') => `/strategies/${encodeURIComponent(s.strategyId)}${action}`;

/** A "Paused" badge, or nothing for an active strategy. */
export function runBadge(s: Controlled): HTMLElement | null {
  return s.status === 'paused' ? h('span', { class: 'badge paused', title: s.pausedReason ?? '' }, 'Paused') : null;
}

/** Pause / Resume and Delete buttons of one strategy; `changed` reloads the list. */
export function controlButtons(s: Controlled, changed: () => void): HTMLButtonElement[] {
  const paused = s.status === 'paused';
  return [
    h('button', {
      type: 'button', 'aria-pressed': String(paused),
      onclick: async () => {
        if (!paused && !(await confirmAction(`Pause "${s.name}"?`, 'Its alerts will be recorded and refused (STRATEGY_PAUSED) until you resume it. Open positions stay; you can still close them.', 'Pause strategy'))) return;
        try {
          await api(path(s, paused ? '/resume' : '/pause'), { method: 'POST', body: paused ? undefined : { reason: 'paused from the dashboard' } });
          toast(paused ? `"${s.name}" resumed` : `"${s.name}" paused`);
          changed();
        } catch (error) {
          toast(errorText(error));
        }
      },
    }, paused ? 'Resume' : 'Pause'),
    h('button', {
      type: 'button', class: 'kill',
      onclick: async () => {
        if (!(await confirmAction(`Delete "${s.name}"?`, 'Its webhook will answer like an unknown strategy. Its signals and orders stay in the log. A strategy holding a position cannot be deleted: close it first.', 'Delete strategy'))) return;
        try {
          await api(path(s), { method: 'DELETE' });
          toast(`"${s.name}" deleted`);
          changed();
        } catch (error) {
          toast(errorText(error));
        }
      },
    }, 'Delete'),
  ];
}
