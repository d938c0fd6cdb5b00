import { noticeText } from '../../domain/notices/notice-text.js';
import type { Notice } from '../../domain/notices/notice.js';
import type { Clock } from '../ports/clock.js';
import type { WebhookPoster } from '../ports/webhook-poster.js';
import type { NoticeSink } from './channel.js';
import { webhookSink } from './webhook-sink.js';
import { mailSink } from './mail-sink.js';
import type { MailSender } from '../ports/mail-sender.js';

/** What an endpoint's deliveries look like: PATRIOT's signed JSON, or a chat's incoming-webhook message. */
export const ENDPOINT_FORMATS = ['patriot', 'discord', 'slack', 'email'] as const;
export type EndpointFormat = (typeof ENDPOINT_FORMATS)[number];

/** Discord's content limit (2,000 characters); Slack's text is cut at 3,000 (its section limit). */
const DISCORD_MAX = 2000;
const SLACK_MAX = 3000;

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The body of a chat message (issue 19). Discord: `content`, with every mention turned off
 * (`allowed_mentions.parse: []`), so text that came from outside (an alert's refusal quotes its
 * fields) cannot ping @everyone. Slack: `text`, with &, < and > escaped as Slack asks, so no
 * `<!channel>` or link markup gets through; `mrkdwn` stays on for the bold type line only.
 */
export function chatBody(format: 'discord' | 'slack', notice: Notice): string {
  const text = noticeText(notice);
  switch (format) {
    case 'discord':
      return JSON.stringify({ content: cut(`**PATRIOT** · ${text}`, DISCORD_MAX), allowed_mentions: { parse: [] } });
    case 'slack':
      return JSON.stringify({ text: cut(`*PATRIOT* · ${slackEscape(text)}`, SLACK_MAX) });
    default:
      return format satisfies never;
  }
}

export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A chat's incoming webhook as a sink: the URL is the secret (nothing is signed); the event id still goes in a header. */
export function chatSink(poster: WebhookPoster, url: string, format: 'discord' | 'slack'): NoticeSink {
  return {
    deliver: (notice, signal) => poster.post(url, chatBody(format, notice), { 'content-type': 'application/json', 'X-Patriot-Event-Id': notice.id }, signal),
  };
}

/** What the sinks send with: HTTP for webhooks and chats, SMTP for e-mail (absent: e-mail is not available). */
export interface Senders {
  readonly poster: WebhookPoster;
  readonly mail?: MailSender;
  readonly clock: Clock;
}

/** The sink of an endpoint by its format. */
export function sinkFor(format: EndpointFormat | undefined, senders: Senders, url: string, secret: string): NoticeSink {
  switch (format) {
    case undefined:
    case 'patriot':
      return webhookSink(senders.poster, senders.clock, url, secret);
    case 'discord':
    case 'slack':
      return chatSink(senders.poster, url, format);
    case 'email':
      return mailSink(senders.mail, url);
    default:
      return format satisfies never;
  }
}
