import type { Notice } from '../../domain/notices/notice.js';
import type { Clock } from '../ports/clock.js';
import type { WebhookPoster } from '../ports/webhook-poster.js';
import { signAlert } from '../ingest/alert-signature.js';
import type { NoticeSink } from './channel.js';

export const EVENT_ID_HEADER = 'X-Patriot-Event-Id';
export const OUTBOUND_SIGNATURE_HEADER = 'X-Patriot-Signature';

/** The body and headers of one try: the notice as JSON, signed like signed alerts (t=<unix s>,v1=HMAC-SHA256(secret, "<t>.<body>")). */
export function signedRequest(notice: Notice, secret: string, nowMs: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(notice);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [EVENT_ID_HEADER]: notice.id,
      [OUTBOUND_SIGNATURE_HEADER]: signAlert(secret, Math.floor(nowMs / 1000), body),
    },
  };
}

/** An outbound webhook endpoint as a sink: each try is signed afresh (its timestamp is the try's). */
export function webhookSink(poster: WebhookPoster, clock: Clock, url: string, secret: string): NoticeSink {
  return {
    deliver: (notice, signal) => {
      const { body, headers } = signedRequest(notice, secret, clock.now());
      return poster.post(url, body, headers, signal);
    },
  };
}
