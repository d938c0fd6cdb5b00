/** What one HTTP POST of a notice came to: a 2xx answer, or why not (never the URL, never a secret). */
export type PostOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status?: number; readonly error: string };

/**
 * Port: sends one HTTP POST (adapters/notify/http-poster.ts). It follows no redirect (a 3xx is a
 * failure), gives up after its timeout, keeps at most a short excerpt of the answer, and refuses
 * private addresses unless allowed. It never throws for a failed request: it answers why.
 */
export interface WebhookPoster {
  post(url: string, body: string, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<PostOutcome>;
}
