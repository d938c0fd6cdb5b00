import { noticeText } from '../../domain/notices/notice-text.js';
import type { Notice } from '../../domain/notices/notice.js';
import type { Clock } from '../ports/clock.js';
import type { WebhookPoster } from '../ports/webhook-poster.js';
import type { NoticeSink } from './channel.js';
import { webhookSink } from './webhook-sink.js';

/** What an endpoint's deliveries look like: PATRIOT's signed JSON, or a chat's incoming-webhook message. */
export const ENDPOINT_FORMATS = ['patriot', 'discord', 'slack'] as const;
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
export function chatBody(format: Exclude<EndpointFormat, 'patriot'>, notice: Notice): string {
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
export function chatSink(poster: WebhookPoster, url: string, format: Exclude<EndpointFormat, 'patriot'>): NoticeSink {
  return {
    deliver: (notice, signal) => poster.post(url, chatBody(format, notice), { 'content-type': 'application/json', 'X-Patriot-Event-Id': notice.id }, signal),
  };
}

/** The sink of an endpoint by its format. */
export function sinkFor(format: EndpointFormat | undefined, poster: WebhookPoster, clock: Clock, url: string, secret: string): NoticeSink {
  return format === undefined || format === 'patriot' ? webhookSink(poster, clock, url, secret) : chatSink(poster, url, format);
}
