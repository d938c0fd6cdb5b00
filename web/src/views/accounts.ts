import { api, errorText } from '../api.js';
import { badge, h, replace, table, td, time, toast } from '../dom.js';
import { flattenNow, killSwitchActionsText, toggleKillSwitch } from '../kill-switch.js';
import { cancelAccountOrders } from '../cancel-orders.js';
import { askFuturesSettings } from '../dialog.js';
import type { Account, Connection } from '../types.js';

/** Exchange accounts: add one (paper or ccxt, keys write-only), connection state, kill switches. */
export class AccountsView {
  private readonly listEl = h('div');
  private readonly formError = h('p', { class: 'error', role: 'alert' });

  render(main: HTMLElement): void {
    const exchange = h('select', { id: 'acc-exchange', name: 'exchange' },
      h('option', { value: 'paper' }, 'Paper (built-in simulator)'), h('option', { value: 'binance' }, 'Binance (ccxt)'),
      h('option', { value: 'bybit' }, 'Bybit (ccxt)'), h('option', { value: 'okx' }, 'OKX (ccxt)'));
    const paperOnly = h('div', { class: 'row' }, h('label', {}, 'Starting balance (USDT)', h('input', { name: 'startingBalance', inputmode: 'decimal', value: '100000', pattern: '[0-9]+(\\.[0-9]+)?' })));
    const keys = h('fieldset', { hidden: true },
      h('legend', {}, 'API key (write-only: stored encrypted, never shown again)'),
      h('div', { class: 'row' },
        h('label', {}, 'Market', h('select', { name: 'marketType' }, h('option', { value: 'spot' }, 'Spot'), h('option', { value: 'swap' }, 'Perpetual swaps'))),
        h('label', {}, 'API key', h('input', { name: 'apiKey', autocomplete: 'off', spellcheck: 'false' })),
        h('label', {}, 'Secret', h('input', { name: 'secret', type: 'password', autocomplete: 'new-password' })),
        h('label', {}, 'Passphrase ', h('span', { class: 'hint' }, '(OKX only)'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }))),
      h('p', { class: 'muted' }, 'Use a key with trading permission only: a key that can withdraw is refused.'));
    exchange.addEventListener('change', () => {
      keys.hidden = exchange.value === 'paper';
      paperOnly.hidden = exchange.value !== 'paper';
    });
    const form = h('form', { class: 'stack', 'aria-labelledby': 'add-account-h' },
      h('div', { class: 'row' }, h('label', {}, 'Name', h('input', { name: 'name', required: true, maxlength: 100 })), h('label', { for: 'acc-exchange' }, 'Exchange', exchange)),
      paperOnly, keys, this.formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add account')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.add(form, exchange.value);
    });
    replace(main, h('h1', {}, 'Accounts'),
      h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-labelledby': 'accounts-h' }, h('h2', { id: 'accounts-h' }, 'Exchange accounts'), this.listEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'add-account-h' }, h('h2', { id: 'add-account-h' }, 'Add an account'), form)));
    void this.update(['all']);
  }

  destroy(): void {}
  price(): void {}

  async update(topics: readonly string[]): Promise<void> {
    if (!topics.some((t) => t === 'all' || t === 'accounts' || t === 'kill-switch')) return;
    try {
      const accounts = (await api<{ items: Account[] }>('/accounts')).items;
      const connections = await Promise.all(accounts.map((a) => api<Connection>(`/accounts/${encodeURIComponent(a.accountId)}/connection`).catch(() => undefined)));
      replace(this.listEl, table(['Name', 'Exchange', 'Leverage', 'API key', 'Connection', 'Kill switch', ''], accounts.map((a, i) => h('tr', { 'data-account': a.accountId },
        td(a.name), td(a.marketType === 'swap' ? `${a.exchange} · swap` : a.exchange), td([leverageOf(a), ...(a.marketType === 'swap' ? [h('button', { type: 'button', class: 'small', 'data-set-leverage': a.accountId, onclick: async () => { if (await setLeverage(a)) await this.update(['accounts']); } }, 'Set leverage')] : [])]), td(a.exchange === 'paper' ? h('span', { class: 'muted' }, 'not needed') : a.credentials ? h('code', {}, a.credentials.apiKeyHint) : h('span', { class: 'error' }, 'not set')),
        td(connectionOf(a, connections[i])),
        td([a.killSwitch.engaged ? badge('engaged') : h('span', { class: 'muted' }, 'off'), ...actionsNote(a)]),
        td([h('button', {
          type: 'button', class: 'small', 'aria-pressed': String(a.killSwitch.engaged),
          onclick: async () => { if (await toggleKillSwitch({ accountId: a.accountId, name: a.name }, a.killSwitch)) await this.update(['accounts']); },
        }, a.killSwitch.engaged ? 'Release kill switch' : 'Kill switch'),
        a.killSwitch.engaged ? ' ' : null,
        a.killSwitch.engaged ? h('button', {
          type: 'button', class: 'small kill', 'data-flatten': a.accountId,
          onclick: async () => { if (await flattenNow({ accountId: a.accountId, name: a.name })) await this.update(['accounts']); },
        }, 'Flatten') : null,
        ' ', h('button', { type: 'button', class: 'small', 'data-cancel-orders': a.accountId, onclick: async () => void (await cancelAccountOrders(a)) }, 'Cancel open orders')]))), 'No accounts yet.', 'Exchange accounts'));
    } catch (error) {
      replace(this.listEl, h('p', { class: 'error' }, errorText(error)));
    }
  }

  private async add(form: HTMLFormElement, exchange: string): Promise<void> {
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    this.formError.textContent = '';
    try {
      const account = await api<Account>('/accounts', {
        body: {
          name: text('name'), exchange,
          ...(exchange === 'paper' ? { startingBalance: text('startingBalance') || '100000' } : { marketType: text('marketType') || 'spot' }),
        },
      });
      if (exchange !== 'paper' && text('apiKey') !== '') {
        try {
          await api(`/accounts/${encodeURIComponent(account.accountId)}/credentials`, {
            method: 'PUT', body: { apiKey: text('apiKey'), secret: text('secret'), ...(text('password') ? { password: text('password') } : {}) },
          });
        } catch (error) {
          this.formError.textContent = `The account was added, but its API key was refused: ${errorText(error)}`;
        }
      }
      form.reset();
      form.querySelector<HTMLSelectElement>('select[name=exchange]')?.dispatchEvent(new Event('change'));
      toast(`Account "${account.name}" added`);
      await this.update(['accounts']);
    } catch (error) {
      this.formError.textContent = errorText(error);
    }
  }
}

function connectionOf(account: Account, c: Connection | undefined): HTMLElement {
  if (account.exchange === 'paper') return badge('connected');
  if (!c) return h('span', { class: 'muted' }, 'unknown');
  if (c.circuit === 'open') return h('span', {}, badge('open'), ' circuit open', c.circuitRetryAt ? ` until ${time(c.circuitRetryAt)}` : '');
  if (c.disabledReason) return h('span', { class: 'error' }, c.disabledReason);
  return h('span', {}, badge(c.stream === 'connected' ? 'connected' : c.stream), c.circuit === 'half_open' ? ' (probing)' : '');
}

/** Asks for the account's default leverage and margin mode and saves them (its symbol overrides kept); true when saved. */
async function setLeverage(a: Account): Promise<boolean> {
  const chosen = await askFuturesSettings(a.name, a.futures);
  if (!chosen) return false;
  try {
    await api(`/accounts/${encodeURIComponent(a.accountId)}/futures`, { method: 'PUT', body: { ...chosen, symbols: a.futures?.symbols ?? {} } });
    toast(`${a.name}: ${chosen.leverage}x ${chosen.marginMode}`);
    return true;
  } catch (error) {
    toast(errorText(error));
    return false;
  }
}

/** A swap account's leverage and margin mode (its default, then each symbol's override); '—' elsewhere. */
function leverageOf(a: Account): HTMLElement {
  if (a.marketType !== 'swap') return h('span', { class: 'muted' }, '—');
  const f = a.futures;
  if (!f) return h('span', { class: 'muted', title: 'PUT /api/v1/accounts/{id}/futures sets them' }, "the exchange's own");
  const overrides = Object.entries(f.symbols).map(([symbol, o]) => `${symbol}: ${[o.leverage !== undefined ? `${o.leverage}x` : '', o.marginMode ?? ''].filter((t) => t !== '').join(' ')}`);
  return h('span', { 'data-futures': a.accountId }, `${f.leverage}x ${f.marginMode}`, ...overrides.map((text) => h('div', { class: 'muted small' }, text)));
}

/** The kill switch's latest cancel / flatten on the account, in words (below its state). */
function actionsNote(a: Account): HTMLElement[] {
  const text = killSwitchActionsText(a.killSwitch);
  return text ? [h('div', { class: 'muted small', 'data-ks-actions': a.killSwitch.actions?.status ?? '' }, text)] : [];
}
