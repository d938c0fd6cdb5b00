import { lookup } from 'node:dns/promises';
import type { MailSender } from '../../application/ports/mail-sender.js';
import { isForbiddenAddress, isIpLiteral } from './address-guard.js';

export interface SmtpMailerOptions {
  /** connect, greeting and each command must finish within this (default 10 s) */
  readonly timeoutMs?: number;
  /** reach loopback and private addresses too (a relay on this host, tests): PATRIOT_OUTBOUND_ALLOW_PRIVATE=true */
  readonly allowPrivate?: boolean;
}

const PRIVATE_REFUSAL = 'refused: the SMTP server address is loopback, private, link-local or reserved (PATRIOT_OUTBOUND_ALLOW_PRIVATE=true allows it)';

/**
 * E-mail over SMTP with nodemailer (issue 19; nodemailer is the maintained SMTP client of the
 * Node ecosystem, a dependency instead of a hand-written SMTP dialogue). One connection per
 * message. `smtps://` is implicit TLS (465); `smtp://` requires STARTTLS unless the URL says
 * `tls=none` (a relay on the same host). The server's name is resolved here and every address
 * checked like outbound webhooks' (no private address by default), then the connection goes to
 * the checked address with the name kept for TLS. Errors are reduced to codes and the server's
 * reply code: never the URL, the user or the password.
 */
export function smtpMailer(options: SmtpMailerOptions = {}): MailSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(smtpUrl, message, signal) {
      let url: URL;
      try {
        url = new URL(smtpUrl);
      } catch {
        return { ok: false, error: 'the SMTP URL is not usable' };
      }
      const secure = url.protocol === 'smtps:';
      if (!secure && url.protocol !== 'smtp:') return { ok: false, error: 'the SMTP URL is not smtp:// or smtps://' };
      const host = url.hostname.replace(/^\[|\]$/g, '');
      let address = host;
      try {
        const found = isIpLiteral(host) ? [{ address: host }] : await lookup(host, { all: true });
        if (found.length === 0) return { ok: false, error: 'the host name does not resolve' };
        if (!options.allowPrivate && found.some((a) => isForbiddenAddress(a.address))) return { ok: false, error: PRIVATE_REFUSAL };
        address = found[0]!.address;
      } catch {
        return { ok: false, error: 'the host name does not resolve' };
      }
      if (signal.aborted) return { ok: false, error: 'stopped' };
      const plain = url.searchParams.get('tls') === 'none';
      const { default: nodemailer } = await import('nodemailer'); // loaded by the first message: a server that sends no e-mail never loads it
      const transport = nodemailer.createTransport({
        host: address, port: url.port ? Number(url.port) : secure ? 465 : 587, secure,
        ...(plain ? { ignoreTLS: true } : secure ? {} : { requireTLS: true }),
        tls: { servername: isIpLiteral(host) ? undefined : host },
        ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
        connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, disableFileAccess: true, disableUrlAccess: true,
      });
      const abort = () => transport.close();
      signal.addEventListener('abort', abort, { once: true });
      try {
        await transport.sendMail({ from: message.from, to: [...message.to], subject: message.subject, text: message.text, messageId: message.messageId, headers: { ...message.headers } });
        return { ok: true, status: 250 };
      } catch (error) {
        if (signal.aborted) return { ok: false, error: 'stopped' };
        const e = error as { code?: unknown; responseCode?: unknown; response?: unknown };
        const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
        const response = typeof e.response === 'string' ? ` ${e.response.slice(0, 200).replace(/[^\x20-\x7e]+/g, ' ')}` : '';
        const code = typeof e.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code) ? e.code : 'SMTP';
        return { ok: false, ...(status !== undefined ? { status } : {}), error: `${code === 'ECONNECTION' || code === 'ESOCKET' ? 'connection failed' : code === 'EAUTH' ? 'SMTP login refused' : code === 'ETIMEDOUT' ? 'timed out' : `SMTP error (${code})`}${status !== undefined ? `: ${status}${response}` : ''}` };
      } finally {
        signal.removeEventListener('abort', abort);
        transport.close();
      }
    },
  };
}
