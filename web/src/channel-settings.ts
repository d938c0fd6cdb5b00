import { api, errorText } from './api.js';
import { h, toast } from './dom.js';

/** The notice kinds a channel may choose (issue 19), in the API's order, with their labels. */
export const KINDS: readonly [string, string][] = [
  ['fill', 'Fills'], ['partial_fill', 'Partial fills'], ['order_rejected', 'Orders rejected'], ['order_unknown', 'Orders unknown'], ['order_expired', 'Orders expired'],
  ['order_cancelled', 'Orders cancelled'], ['alert_rejected', 'Alerts rejected'], ['kill_switch', 'Kill switch'], ['reconciliation', 'Reconciliation differences'],
  ['daily_summary', 'Daily summary'], ['circuit_breaker', 'Exchange not answering'], ['stale_prices', 'Stale prices'], ['takeover', 'Node takeovers'],
];

/** A channel's settings as the API shows them. */
export interface ChannelSettings {
  kinds: string[];
  timeZone: string;
  quietHours?: { from: string; to: string };
  summaryAt: string;
}

/** The settings in a few words, for a table cell. */
export const settingsSummary = (s: ChannelSettings): string =>
  `${s.kinds.length === KINDS.length ? 'all kinds' : s.kinds.join(', ')}${s.quietHours ? ` · quiet ${s.quietHours.from}–${s.quietHours.to}` : ''} · ${s.timeZone}`;

/**
 * The form of one channel's choices (a Telegram chat, an endpoint): kinds, time zone, quiet hours
 * (only critical notices in them; the rest as one digest at their end), daily summary time. Saved
 * with PUT `path`; a refusal's message is shown in the form and nothing changes.
 */
export function channelSettingsForm(title: string, current: ChannelSettings, path: string, saved: () => void): HTMLFormElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const chosen = new Set(current.kinds);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const form = h('form', { class: 'stack channel-settings', 'aria-label': title },
    h('h3', {}, title),
    h('fieldset', {}, h('legend', {}, 'Notices'),
      h('div', { class: 'row kinds' }, ...KINDS.map(([kind, label]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kinds', value: kind, checked: chosen.has(kind) }), ` ${label}`)))),
    h('label', {}, 'Time zone', h('span', { class: 'hint' }, ` IANA name, e.g. ${browserZone}`), h('input', { name: 'timeZone', value: current.timeZone, required: true, autocomplete: 'off', spellcheck: 'false' })),
    h('fieldset', {}, h('legend', {}, 'Quiet hours'),
      h('p', { class: 'hint' }, 'Only the kill switch engaged, orders stuck unknown and reconciliation differences go out in them; the rest come as one digest when they end.'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'quiet', checked: current.quietHours !== undefined }), ' Quiet hours on'),
      h('div', { class: 'row' },
        h('label', {}, 'From', h('input', { name: 'quietFrom', type: 'time', value: current.quietHours?.from ?? '22:00' })),
        h('label', {}, 'To', h('input', { name: 'quietTo', type: 'time', value: current.quietHours?.to ?? '07:00' })))),
    h('label', {}, 'Daily summary at', h('input', { name: 'summaryAt', type: 'time', value: current.summaryAt, required: true })),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = '';
    const body = {
      kinds: data.getAll('kinds').map(String), timeZone: String(data.get('timeZone') ?? '').trim(), summaryAt: String(data.get('summaryAt') ?? ''),
      quietHours: data.get('quiet') !== null ? { from: String(data.get('quietFrom') ?? ''), to: String(data.get('quietTo') ?? '') } : null,
    };
    void api(path, { method: 'PUT', body }).then(() => {
      toast('Settings saved');
      saved();
    }, (e: unknown) => {
      error.textContent = errorText(e);
    });
  });
  return form;
}
