import { api, errorText, hasSession, login, logout, refresh, whenLoggedOut } from './api.js';
import { h, replace } from './dom.js';
import { toggleKillSwitch } from './kill-switch.js';
import { LiveStream } from './live.js';
import type { KillSwitch } from './types.js';
import { AccountsView } from './views/accounts.js';
import { AnalyticsView } from './views/analytics.js';
import { ReplaysView } from './views/replays.js';
import { OverviewView } from './views/overview.js';
import { StrategiesView } from './views/strategies.js';
import { WebhooksView } from './views/webhooks.js';
import { TelegramView } from './views/telegram.js';

interface View {
  render(main: HTMLElement): void;
  update(topics: readonly string[]): Promise<void>;
  price(symbol: string): void;
  destroy(): void;
}

const main = document.getElementById('main')!;
const header = document.querySelector<HTMLElement>('header.top')!;
const banner = document.getElementById('banner')!;
const killedBanner = document.getElementById('killed')!;
const globalKill = document.getElementById('global-kill') as HTMLButtonElement;
let view: View | undefined;
let globalSwitch: KillSwitch = { engaged: false };
let live: LiveStream | undefined;
let everConnected = false;

const routes: Record<string, () => View> = { overview: () => new OverviewView(), accounts: () => new AccountsView(), strategies: () => new StrategiesView() };
routes.webhooks = () => new WebhooksView(); // outbound webhooks (admins)
routes.analytics = () => new AnalyticsView(); // issue 20: metrics, trade history, downloads
routes.replays = () => new ReplaysView(); // issue 20: alert histories replayed on a paper account (ADR-0025)
routes.telegram = () => new TelegramView(); // Telegram: the bot (admins), linking your chat
const routeName = (): string => {
  const name = location.hash.replace(/^#\/?/, '');
  return name in routes ? name : 'overview';
};

function showLogin(message = ''): void {
  live?.stop();
  live = undefined;
  view?.destroy();
  view = undefined;
  header.hidden = true;
  banner.hidden = true;
  killedBanner.hidden = true;
  const error = h('p', { class: 'error', role: 'alert' }, message);
  const form = h('form', { class: 'card stack login', 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h' }, 'Log in to PATRIOT'),
    h('label', {}, 'Username', h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, 'Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    // only needed when two tenants have a user of this name with this password
    h('details', { class: 'tenant-choice' },
      h('summary', {}, 'Log in to a named tenant'),
      h('label', {}, 'Tenant', h('span', { class: 'hint' }, 'leave empty unless your administrator gave you one'), h('input', { name: 'tenant', autocomplete: 'organization' }))),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = '';
    try {
      const tenant = String(data.get('tenant') ?? '').trim();
      await login(String(data.get('username') ?? ''), String(data.get('password') ?? ''), tenant === '' ? undefined : tenant);
      startApp();
    } catch (e) {
      error.textContent = errorText(e);
    }
  });
  replace(main, form);
  form.querySelector<HTMLInputElement>('input')?.focus();
}

function navigate(): void {
  view?.destroy();
  const name = routeName();
  for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  view = routes[name]!();
  view.render(main);
  document.title = `${name[0]!.toUpperCase()}${name.slice(1)} · PATRIOT`;
}

async function loadGlobalSwitch(): Promise<void> {
  try {
    globalSwitch = await api<KillSwitch>('/kill-switch');
  } catch {
    return;
  }
  globalKill.textContent = globalSwitch.engaged ? 'Release global kill switch' : 'Global kill switch'; // named apart from each account's (issue 20)
  globalKill.setAttribute('aria-pressed', String(globalSwitch.engaged));
  killedBanner.hidden = !globalSwitch.engaged;
  killedBanner.textContent = globalSwitch.engaged ? `Global kill switch engaged: every new order is refused${globalSwitch.reason ? ` (${globalSwitch.reason})` : ''}.` : '';
}

function startApp(): void {
  header.hidden = false;
  if (!location.hash) history.replaceState(null, '', '#/overview');
  navigate();
  main.focus();
  void loadGlobalSwitch();
  live = new LiveStream({
    change: (topics) => {
      if (topics.includes('all') || topics.includes('kill-switch')) void loadGlobalSwitch();
      void view?.update(topics);
    },
    price: (tick) => view?.price(tick.symbol),
    connected: (up) => {
      if (up) everConnected = true;
      banner.hidden = up || !everConnected;
      banner.textContent = up ? '' : 'Live updates lost: reconnecting… (what you see may be out of date)';
    },
  });
  live.start();
}

globalKill.addEventListener('click', async () => {
  if (await toggleKillSwitch({}, globalSwitch)) await loadGlobalSwitch();
});
document.getElementById('logout')!.addEventListener('click', async () => {
  await logout();
  showLogin();
});
window.addEventListener('hashchange', () => {
  if (view) navigate();
});
whenLoggedOut(() => showLogin('Your session has ended: log in again.'));

async function boot(): Promise<void> {
  if (hasSession() && (await refresh())) startApp();
  else showLogin();
}
void boot();
