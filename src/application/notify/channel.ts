import type { Notice } from '../../domain/notices/notice.js';
import type { PostOutcome } from '../ports/webhook-poster.js';

/** How one try to deliver a notice went (the same shape for every channel). */
export type DeliveryOutcome = PostOutcome;

/**
 * A channel's sink for one destination (a webhook endpoint today; a chat, a mailbox, a subject
 * tomorrow): it delivers one notice, once, and answers how it went. Retries, ordering and
 * progress are the channel runner's (notice-delivery.ts), the same for every sink.
 */
export interface NoticeSink {
  deliver(notice: Notice, signal: AbortSignal): Promise<DeliveryOutcome>;
}
