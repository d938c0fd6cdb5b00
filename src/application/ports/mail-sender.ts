import type { PostOutcome } from './webhook-poster.js';

/** One e-mail to send (plain text). */
export interface MailMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** a stable Message-ID (the same event is always the same message) */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Port: sends one e-mail through the SMTP server an `smtp://` / `smtps://` URL names, with the
 * credentials it carries (adapters/notify/smtp-mailer.ts). It never throws: it answers how it went
 * (`status` is the SMTP reply code when there is one), never with the URL or a password.
 */
export interface MailSender {
  send(smtpUrl: string, message: MailMessage, signal: AbortSignal): Promise<PostOutcome>;
}
