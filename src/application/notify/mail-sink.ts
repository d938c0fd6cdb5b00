import { noticeText } from '../../domain/notices/notice-text.js';
import { parseMailEndpoint, type Notice } from '../../domain/notices/notice.js';
import type { MailSender } from '../ports/mail-sender.js';
import type { NoticeSink } from './channel.js';

const SUBJECT_MAX = 150;

/** The e-mail of a notice: the line as subject, then the event's id, type, time and data. One line of headers, never a CR or LF from the data. */
export function mailOf(notice: Notice, from: string, to: readonly string[]) {
  const line = noticeText(notice).replace(/[\r\n]+/g, ' ');
  const subject = `[PATRIOT] ${line.length > SUBJECT_MAX ? `${line.slice(0, SUBJECT_MAX - 1)}…` : line}`;
  const text = `${line}\n\nEvent ${notice.id} (${notice.type}) at ${notice.time}\n\n${JSON.stringify(notice.data, null, 2)}\n\n— PATRIOT. The same event id is the same event: a second copy after a restart can be ignored.\n`;
  return { from, to, subject, text, messageId: `<${notice.id}.${notice.tenantId}@patriot.invalid>`, headers: { 'X-Patriot-Event-Id': notice.id } };
}

/** An e-mail endpoint as a sink: its URL names the SMTP server, the credentials, the sender and the recipients. */
export function mailSink(mail: MailSender | undefined, smtpUrl: string): NoticeSink {
  const parsed = parseMailEndpoint(smtpUrl); // once per sink (one per endpoint runner), not per notice
  return {
    deliver: async (notice, signal) => {
      if (!mail) return { ok: false, error: 'e-mail is not available on this server' };
      if (!parsed.ok) return { ok: false, error: parsed.error.message };
      return mail.send(smtpUrl, mailOf(notice, parsed.value.from, parsed.value.to), signal);
    },
  };
}
