/** The exchange's own error code and message, dug out of a ccxt error message. */
export interface NativeError {
  readonly code?: string;
  readonly message?: string;
  /** the HTTP status when ccxt put it in the message (its generic HTTP handler, Binance 418/429) */
  readonly httpStatus?: number;
}

/** A string or finite number as text; anything else `undefined`. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function fromJson(body: Record<string, unknown>): NativeError | undefined {
  // OKX: {"code":"1","data":[{"sCode":"51016","sMsg":"..."}],"msg":"All operations failed"}
  const data = body.data;
  if (Array.isArray(data)) {
    for (const item of data) {
      if (item === null || typeof item !== 'object') continue;
      const sCode = scalarText((item as Record<string, unknown>).sCode);
      if (sCode !== undefined && sCode !== '0') {
        const sMsg = scalarText((item as Record<string, unknown>).sMsg);
        return { code: sCode, ...(sMsg !== undefined ? { message: sMsg.trim() } : {}) };
      }
    }
  }
  const code = scalarText(body.code) ?? scalarText(body.retCode) ?? scalarText(body.ret_code) ?? scalarText(body.error_code);
  const message = scalarText(body.msg) ?? scalarText(body.retMsg) ?? scalarText(body.ret_msg) ?? scalarText(body.message) ?? scalarText(body.errorMessage);
  if (code === undefined && message === undefined) return undefined;
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message: message.trim() } : {}) };
}

/**
 * ccxt puts the exchange's response body (JSON) into its messages: `"<id> <body>"`,
 * `"<id> <METHOD> <url> <status> <reason> <body>"`, `"binance 429 <reason> <body>"`, or just
 * `"<id> <native message>"` when it matched the message text.
 */
export function nativeErrorDetails(message: string): NativeError {
  const status = /^\S+ (?:(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \S+ )?([1-5]\d\d) /.exec(message)?.[1];
  const httpStatus = status !== undefined ? { httpStatus: Number(status) } : {};
  const open = message.indexOf('{');
  const close = message.lastIndexOf('}');
  if (open >= 0 && close > open) {
    try {
      const parsed: unknown = JSON.parse(message.slice(open, close + 1));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const found = fromJson(parsed as Record<string, unknown>);
        if (found) return { ...found, ...httpStatus };
      }
    } catch {
      // not JSON: fall through to the patterns
    }
    const code = /"(?:sCode|code|retCode|ret_code)"\s*:\s*"?(-?\d+)"?/.exec(message)?.[1];
    const text = /"(?:sMsg|msg|retMsg|ret_msg)"\s*:\s*"([^"]*)"/.exec(message)?.[1];
    if (code !== undefined || text !== undefined) {
      return { ...(code !== undefined ? { code } : {}), ...(text !== undefined ? { message: text } : {}), ...httpStatus };
    }
  }
  return httpStatus;
}
