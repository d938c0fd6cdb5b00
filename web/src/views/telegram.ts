import { api, errorText } from '../api.js';
import { confirmAction } from '../dialog.js';
import { badge, copyButton, h, replace, table, td, time, toast } from '../dom.js';
import { channelSettingsForm, KINDS, settingsSummary, type ChannelSettings } from '../channel-settings.js';

interface Bot { username: string; maskedToken: string; kinds: string[]; enabled: boolean; changedAt: string }
interface Link extends ChannelSettings { chatId: number; userId: string; linkedAt: string }
interface Status { bot?: Bot; links: Link[] }
interface Delivery { eventId: string; type: string; status: 'delivered' | 'pending' | 'failed'; attempts: number; lastError?: string; firstAttemptAt: string; lastAttemptAt: string }
interface LinkCode { code: string; expiresAt: string; botUsername: string; command: string; url: string }


/**
 * Telegram (issue 19): the tenant's bot (admins set its token: checked, sealed, shown masked; and
 * the kinds told), a one-time code to link your own chat, and the linked chats (unlink).
 */
export class TelegramView {
  private readonly botEl = h('div');
  private readonly codeEl = h('div');
  private readonly linksEl = h('div');
  private readonly settingsEl = h('div');
  private readonly formError = h('p', { class: 'error', role: 'alert' });
  private readonly form = h('form', { class: 'stack', 'aria-labelledby': 'tg-bot-form-h' });

  render(main: HTMLElement): void {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    replace(main, h('h1', {}, 'Telegram'),
      h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-labelledby': 'tg-bot-h' }, h('h2', { id: 'tg-bot-h' }, 'Bot'), this.botEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'tg-link-h' }, h('h2', { id: 'tg-link-h' }, 'Link your chat'),
          h('p', {}, 'Create a code, then send ', h('code', {}, '/link <code>'), ' to the bot in a private chat (or open the link). The code works once, for 10 minutes.'),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => void this.newCode() }, 'Create a link code')),
          this.codeEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'tg-links-h' }, h('h2', { id: 'tg-links-h' }, 'Linked chats'), this.linksEl, this.settingsEl),
        h('section', { class: 'card wide', 'aria-labelledby': 'tg-bot-form-h' }, h('h2', { id: 'tg-bot-form-h' }, 'Set up the bot (admins)'), this.form)));
    void this.update(['all']);
  }

  destroy(): void {}
  price(): void {}

  async update(topics: readonly string[]): Promise<void> {
    if (!topics.includes('all')) return;
    try {
      const status = await api<Status>('/telegram');
      const bot = status.bot;
      replace(this.botEl, bot
        ? h('p', {}, h('strong', {}, `@${bot.username}`), ' · token ', h('code', {}, bot.maskedToken), ' · ', bot.enabled ? badge('enabled') : h('span', { class: 'muted' }, 'disabled'), ` · tells ${bot.kinds.join(', ')} · changed ${time(bot.changedAt)}`)
        : h('p', { class: 'muted' }, 'No bot yet: an admin creates one with @BotFather and pastes its token below.'));
      this.renderForm(bot);
      replace(this.linksEl, table(['Chat', 'User', 'Linked', 'Notices', ''], status.links.map((l) => h('tr', { 'data-chat': String(l.chatId) },
        td(h('code', {}, String(l.chatId))), td(l.userId), td(time(l.linkedAt)), td(settingsSummary(l)),
        td(h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => this.settings(l) }, 'Settings'),
          h('button', { type: 'button', class: 'small', onclick: () => void this.deliveries(l) }, 'Deliveries'),
          h('button', { type: 'button', class: 'small', onclick: () => void this.unlink(l) }, 'Unlink'))))), 'No linked chats.', 'Linked chats'));
    } catch (error) {
      replace(this.botEl, h('p', { class: 'error' }, errorText(error)));
    }
  }

  /** The chat's delivery log: each message's status, attempts and last error. */
  private async deliveries(link: Link): Promise<void> {
    try {
      const items = (await api<{ items: Delivery[] }>(`/telegram/links/${link.chatId}/deliveries?limit=100`)).items;
      replace(this.settingsEl, h('p', { class: 'muted' }, `Messages to chat ${link.chatId}, newest first`),
        table(['Event', 'Type', 'Status', { text: 'Attempts', num: true }, 'Last error', 'First try', 'Last try'], items.map((d) => h('tr', { 'data-delivery': d.eventId },
          td(h('code', {}, d.eventId)), td(d.type), td(badge(d.status)), td(String(d.attempts), 'num'), td(d.lastError ?? ''), td(time(d.firstAttemptAt)), td(time(d.lastAttemptAt)))), 'Nothing sent yet.', 'Delivery log'));
    } catch (error) {
      replace(this.settingsEl, h('p', { class: 'error' }, errorText(error)));
    }
  }

  private settings(link: Link): void {
    const form = channelSettingsForm(`Settings of chat ${link.chatId}`, link, `/telegram/links/${link.chatId}/settings`, () => {
      replace(this.settingsEl);
      void this.update(['all']);
    });
    replace(this.settingsEl, form);
    form.querySelector<HTMLInputElement>('input')?.focus();
  }

  private renderForm(bot: Bot | undefined): void {
    const chosen = new Set(bot?.kinds ?? KINDS.map(([k]) => k));
    replace(this.form,
      h('label', {}, 'Bot token', h('span', { class: 'hint' }, bot ? ' leave empty to keep the current one' : ' from @BotFather (stored sealed, shown masked)'),
        h('input', { name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: !bot, placeholder: '123456789:AA…' })),
      h('fieldset', {}, h('legend', {}, 'Notices sent to linked chats (unless a chat chose its own)'),
        h('div', { class: 'row kinds' }, ...KINDS.map(([kind, label]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kinds', value: kind, checked: chosen.has(kind) }), ` ${label}`)))),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'enabled', checked: bot?.enabled ?? true }), ' Enabled'),
      this.formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, bot ? 'Save' : 'Set up the bot'),
        bot ? h('button', { type: 'button', onclick: () => void this.removeBot() }, 'Remove the bot') : null));
  }

  private async save(): Promise<void> {
    const data = new FormData(this.form);
    this.formError.textContent = '';
    const token = String(data.get('token') ?? '').trim();
    try {
      await api('/telegram/bot', { method: 'PUT', body: { ...(token ? { token } : {}), kinds: data.getAll('kinds').map(String), enabled: data.get('enabled') !== null } });
      toast('Telegram saved');
      await this.update(['all']);
    } catch (error) {
      this.formError.textContent = errorText(error);
    }
  }

  private async newCode(): Promise<void> {
    try {
      const code = await api<LinkCode>('/telegram/link-codes', { method: 'POST' });
      replace(this.codeEl, h('div', { class: 'copy-line' }, h('span', {}, `Send to @${code.botUsername}`), h('code', { id: 'tg-link-command' }, code.command), copyButton(() => code.command, 'Copy the link command')),
        h('p', {}, h('a', { href: code.url, target: '_blank', rel: 'noopener' }, 'Open the chat with the bot'), ` · expires ${time(code.expiresAt)}`));
    } catch (error) {
      replace(this.codeEl, h('p', { class: 'error' }, errorText(error)));
    }
  }

  private async unlink(link: Link): Promise<void> {
    if (!(await confirmAction('Unlink this chat?', `Chat ${link.chatId} gets no more notices and its commands are no longer answered.`, 'Unlink'))) return;
    try {
      await api(`/telegram/links/${link.chatId}`, { method: 'DELETE' });
      toast('Chat unlinked');
      await this.update(['all']);
    } catch (error) {
      toast(errorText(error));
    }
  }

  private async removeBot(): Promise<void> {
    if (!(await confirmAction('Remove the bot?', 'Its token is deleted and every linked chat is unlinked.', 'Remove the bot'))) return;
    try {
      await api('/telegram/bot', { method: 'DELETE' });
      toast('Bot removed');
      await this.update(['all']);
    } catch (error) {
      toast(errorText(error));
    }
  }
}
