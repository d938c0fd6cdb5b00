/**
 * Scrubs credentials out of text that may leave the adapter (error reasons, log fields).
 * ccxt error messages can carry the request URL (with `signature=` in the query string of a
 * signed GET), the response body, or echo request fields (Bybit's "apiKey[…] apiSignature[…]").
 */

const MASK = '***';

/** `name=value`, `"name":"value"`, `name: value` for credential-like names. */
const NAMED_VALUE =
  /((?:^|[?&\s"'{,;(])(?:signature|sign|apikey|api_key|api-key|secret|secretkey|secret_key|passphrase|password|x-mbx-apikey|ok-access-key|ok-access-sign|ok-access-passphrase|x-bapi-api-key|x-bapi-sign)["']?\s*[=:]\s*["']?)([^&\s"',;})]+)/gi;

/** Bybit echoes `apiKey[…]`, `apiSignature[…]`. */
const BRACKETED = /(api(?:key|signature|secret|sign)\[)([^\]]*)(\])/gi;

/** Binance user-data stream URLs end in the listenKey (`…/ws/<listenKey>`); the key also appears as `listenKey=`. */
const LISTEN_KEY_PATH = /(\/ws\/)([A-Za-z0-9]{32,})/g;
const LISTEN_KEY_PARAM = /(listenkey["']?\s*[=:]\s*["']?)([^&\s"',;})]+)/gi;

/**
 * Returns `text` with every occurrence of a known secret (raw and URL-encoded) and every
 * credential-looking name/value pair masked. Secrets shorter than 4 characters are not
 * searched for literally (they would mask ordinary text); the patterns still apply.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(MASK);
  }
  out = out.replace(NAMED_VALUE, (_m, prefix: string) => `${prefix}${MASK}`);
  out = out.replace(BRACKETED, (_m, open: string, _v: string, close: string) => `${open}${MASK}${close}`);
  out = out.replace(LISTEN_KEY_PATH, (_m, prefix: string) => `${prefix}${MASK}`);
  out = out.replace(LISTEN_KEY_PARAM, (_m, prefix: string) => `${prefix}${MASK}`);
  return out;
}

/** The message of anything thrown, redacted. */
export function redactedMessage(error: unknown, secrets: readonly (string | undefined)[] = []): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactSecrets(text, secrets);
}
