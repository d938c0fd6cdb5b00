import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PostOutcome, WebhookPoster } from '../../application/ports/webhook-poster.js';
import { isForbiddenAddress, isIpLiteral } from './address-guard.js';

export interface HttpPosterOptions {
  /** the whole request (connect, send, answer) must finish within this (default 10 s) */
  readonly timeoutMs?: number;
  /** reach loopback and private addresses too (self-hosted receivers, tests): PATRIOT_OUTBOUND_ALLOW_PRIVATE=true */
  readonly allowPrivate?: boolean;
}

/** characters of an answer's body kept (in the delivery log's last error) */
const EXCERPT = 200;
const PRIVATE_REFUSAL = 'refused: the address is loopback, private, link-local or reserved (PATRIOT_OUTBOUND_ALLOW_PRIVATE=true allows it)';

class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The `lookup` of the connection: the name is resolved here and every address it resolves to is
 * checked before the socket connects, so a name that resolves to a public address when the
 * endpoint is created and to 127.0.0.1 when it is called (DNS rebinding) is refused too.
 */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    if (addresses.length === 0 || addresses.some((a) => isForbiddenAddress(a.address))) return callback(new PrivateAddressError(PRIVATE_REFUSAL), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/** Why a request failed, without the URL (error messages of node carry the host and path). */
function reasonOf(error: unknown): string {
  if (error instanceof PrivateAddressError) return PRIVATE_REFUSAL;
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': return 'connection reset';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'the host name does not resolve';
    case 'ETIMEDOUT': case 'ETIMEOUT': return 'timed out';
    case 'ABORT_ERR': return 'stopped';
    case 'CERT_HAS_EXPIRED': case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate not accepted (${code})`;
    default: return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? `request failed (${code})` : 'request failed';
  }
}

/** A short, printable excerpt of an answer's body. */
async function excerptOf(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length >= EXCERPT) break;
  }
  response.destroy();
  return text.slice(0, EXCERPT).replace(/[^\x20-\x7e]+/g, ' ').trim();
}

/**
 * Outbound webhook POSTs over node:http(s): no redirect is followed (a 3xx is a failure), the
 * whole request has a deadline, only an excerpt of the answer is kept, and by default no
 * loopback, private, link-local or reserved address is reached (checked on the resolved address,
 * at connect time). One connection per request: nothing is pooled across endpoints.
 */
export function httpPoster(options: HttpPosterOptions = {}): WebhookPoster {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    post(url, body, headers, signal) {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return Promise.resolve({ ok: false, error: 'the URL is not usable' });
      }
      if (!options.allowPrivate && isIpLiteral(target.hostname) && isForbiddenAddress(target.hostname)) return Promise.resolve({ ok: false, error: PRIVATE_REFUSAL });
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      const request: RequestOptions = {
        method: 'POST', agent: false, signal: deadline,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'PATRIOT-webhooks/1' },
        ...(options.allowPrivate ? {} : { lookup: guardedLookup as unknown as RequestOptions['lookup'] }),
      };
      return new Promise<PostOutcome>((resolve) => {
        const req = send(target, request, (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            response.resume();
            return resolve({ ok: true, status });
          }
          void excerptOf(response).then(
            (excerpt) => resolve({ ok: false, status, error: `${status >= 300 && status < 400 ? 'redirect not followed: ' : ''}HTTP ${status}${excerpt ? `: ${excerpt}` : ''}` }),
            () => resolve({ ok: false, status, error: `HTTP ${status}` }),
          );
        });
        req.on('error', (error) => resolve({ ok: false, error: deadline.aborted && !signal.aborted ? `timed out after ${timeoutMs} ms` : reasonOf(error) }));
        req.end(body);
      });
    },
  };
}
