import { api, errorText } from '../api.js';
import { confirmAction } from '../dialog.js';
import { badge, copyButton, h, replace, table, td, time, toast } from '../dom.js';
import { channelSettingsForm, KINDS, settingsSummary, type ChannelSettings } from '../channel-settings.js';

interface Endpoint extends ChannelSettings { endpointId: string; url: string; format?: string; enabled: boolean; createdAt: string }
const FORMATS: readonly [string, string][] = [['patriot', 'Signed JSON (your own receiver)'], ['discord', 'Discord incoming webhook'], ['slack', 'Slack incoming webhook'], ['email', 'E-mail (SMTP)']];
interface Created { endpoint: Endpoint; secret: string; signature: string }
interface Delivery { eventId: string; type: string; status: 'delivered' | 'pending' | 'failed'; attempts: number; lastError?: string; firstAttemptAt: string; lastAttemptAt: string; nextAttemptAt?: string }
interface TestResult { delivered: boolean; statusCode?: number; error?: string }


/** Signed outbound webhooks (admins): add an endpoint (its secret shown once), enable, disable, remove, send a test, see the delivery log. */
export class WebhooksView {
  private readonly listEl = h('div');
  private readonly secretEl = h('div');
  private readonly logEl = h('div');
  private readonly settingsEl = h('div');
  private readonly formError = h('p', { class: 'error', role: 'alert' });

  render(main: HTMLElement): void {
    const form = h('form', { class: 'stack', 'aria-labelledby': 'add-endpoint-h' },
      h('label', {}, 'Send as', h('select', { name: 'format' }, ...FORMATS.map(([value, label]) => h('option', { value }, label)))),
      h('label', {}, 'URL', h('span', { class: 'hint' }, ' signed JSON is POSTed here; for Discord or Slack paste the channel\'s incoming webhook URL; for e-mail smtps://user:password@smtp.example.com?to=me@example.com (stored sealed, shown masked)'), h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/patriot-events', autocomplete: 'off', spellcheck: 'false' })),
      h('fieldset', {}, h('legend', {}, 'Events to send'),
        h('div', { class: 'row kinds' }, ...KINDS.map(([kind, label]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kinds', value: kind, checked: kind === 'fill' }), ` ${label}`)))),
      this.formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add endpoint')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.add(form);
    });
    replace(main, h('h1', {}, 'Webhooks'), this.secretEl,
      h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-labelledby': 'endpoints-h' }, h('h2', { id: 'endpoints-h' }, 'Outbound webhook endpoints'), this.listEl, this.settingsEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'add-endpoint-h' }, h('h2', { id: 'add-endpoint-h' }, 'Add an endpoint'), form),
        h('section', { class: 'card wide', 'aria-labelledby': 'deliveries-h' }, h('h2', { id: 'deliveries-h' }, 'Delivery log'), this.logEl)));
    replace(this.logEl, h('p', { class: 'muted' }, 'Choose "Deliveries" on an endpoint.'));
    void this.update(['all']);
  }

  destroy(): void {}
  price(): void {}

  async update(topics: readonly string[]): Promise<void> {
    if (!topics.includes('all')) return;
    try {
      const endpoints = (await api<{ items: Endpoint[] }>('/outbound-webhooks')).items;
      replace(this.listEl, table(['URL', 'As', 'Events', 'State', ''], endpoints.map((e) => h('tr', { 'data-endpoint': e.endpointId },
        td(h('code', {}, e.url)), td(e.format ?? 'patriot'), td(settingsSummary(e)), td(e.enabled ? badge('enabled') : h('span', { class: 'muted' }, 'disabled')),
        td(h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => this.settings(e) }, 'Settings'),
          h('button', { type: 'button', class: 'small', onclick: () => void this.test(e) }, 'Send test'),
          h('button', { type: 'button', class: 'small', onclick: () => void this.deliveries(e) }, 'Deliveries'),
          h('button', { type: 'button', class: 'small', 'aria-pressed': String(!e.enabled), onclick: () => void this.toggle(e) }, e.enabled ? 'Disable' : 'Enable'),
          h('button', { type: 'button', class: 'small', onclick: () => void this.remove(e) }, 'Remove'))))), 'No endpoints yet.', 'Outbound webhook endpoints'));
    } catch (error) {
      replace(this.listEl, h('p', { class: 'error' }, errorText(error)));
    }
  }

  private settings(e: Endpoint): void {
    const form = channelSettingsForm(`Settings of ${e.url}`, e, `/outbound-webhooks/${encodeURIComponent(e.endpointId)}/settings`, () => {
      replace(this.settingsEl);
      void this.update(['all']);
    });
    replace(this.settingsEl, form);
    form.querySelector<HTMLInputElement>('input')?.focus();
  }

  private async add(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    this.formError.textContent = '';
    try {
      const format = String(data.get('format') ?? 'patriot');
      const created = await api<Created>('/outbound-webhooks', { body: { url: String(data.get('url') ?? '').trim(), kinds: data.getAll('kinds').map(String), format } });
      form.reset();
      if (format === 'patriot') this.showSecret(created);
      else toast(`Added: events go to ${format === 'email' ? 'the mailbox' : `the ${format === 'discord' ? 'Discord' : 'Slack'} channel`}; try "Send test"`);
      await this.update(['all']);
    } catch (error) {
      this.formError.textContent = errorText(error);
    }
  }

  private showSecret(created: Created): void {
    replace(this.secretEl, h('section', { class: 'card secret-panel', 'aria-labelledby': 'endpoint-secret-h', tabindex: '-1' },
      h('h2', { id: 'endpoint-secret-h' }, `Signing secret of ${created.endpoint.url}`),
      h('p', {}, h('strong', {}, 'Shown once: '), 'copy the secret now. Your receiver checks each delivery with it; PATRIOT never shows it again.'),
      h('div', { class: 'copy-line' }, h('span', {}, 'Secret'), h('code', { id: 'endpoint-secret' }, created.secret), copyButton(() => created.secret, 'Copy the signing secret')),
      h('p', { class: 'muted' }, created.signature),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => replace(this.secretEl) }, 'I have copied it'))));
    this.secretEl.querySelector<HTMLElement>('section')?.focus();
  }

  private async test(e: Endpoint): Promise<void> {
    try {
      const result = await api<TestResult>(`/outbound-webhooks/${encodeURIComponent(e.endpointId)}/test`, { method: 'POST' });
      toast(result.delivered ? `Test delivered (HTTP ${result.statusCode ?? ''})` : `Test not delivered: ${result.error ?? 'unknown error'}`);
      await this.deliveries(e);
    } catch (error) {
      toast(errorText(error));
    }
  }

  private async toggle(e: Endpoint): Promise<void> {
    try {
      await api(`/outbound-webhooks/${encodeURIComponent(e.endpointId)}/enabled`, { method: 'PUT', body: { enabled: !e.enabled } });
      toast(e.enabled ? 'Endpoint disabled' : 'Endpoint enabled: it receives events from now on');
      await this.update(['all']);
    } catch (error) {
      toast(errorText(error));
    }
  }

  private async remove(e: Endpoint): Promise<void> {
    if (!(await confirmAction('Remove this endpoint?', `${e.url} receives no more events; its delivery log is deleted.`, 'Remove endpoint'))) return;
    try {
      await api(`/outbound-webhooks/${encodeURIComponent(e.endpointId)}`, { method: 'DELETE' });
      toast('Endpoint removed');
      replace(this.logEl, h('p', { class: 'muted' }, 'Choose "Deliveries" on an endpoint.'));
      await this.update(['all']);
    } catch (error) {
      toast(errorText(error));
    }
  }

  private async deliveries(e: Endpoint): Promise<void> {
    try {
      const items = (await api<{ items: Delivery[] }>(`/outbound-webhooks/${encodeURIComponent(e.endpointId)}/deliveries?limit=100`)).items;
      const rows = items.map((d) => h('tr', { 'data-delivery': d.eventId },
        td(h('code', {}, d.eventId)), td(d.type), td(badge(d.status)), td(String(d.attempts), 'num'), td(d.lastError ?? ''), td(time(d.firstAttemptAt)), td(time(d.lastAttemptAt))));
      replace(this.logEl, h('p', { class: 'muted' }, `Deliveries to ${e.url}, newest first`),
        table(['Event', 'Type', 'Status', { text: 'Attempts', num: true }, 'Last error', 'First try', 'Last try'], rows, 'Nothing delivered yet.', 'Delivery log'));
    } catch (error) {
      replace(this.logEl, h('p', { class: 'error' }, errorText(error)));
    }
  }
}
