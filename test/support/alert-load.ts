/**
 * Load from outside the server for the crash suites: alerts POSTed to a real `patriot serve` over
 * HTTP by concurrent workers, each answer (or connection failure) remembered by alert index.
 */
import type { Page } from './server.js';

export type Answer = { kind: 'answered'; status: number; signalId?: string; body: string } | { kind: 'failed'; error: string };

export const is2xx = (a: Answer | undefined): a is Extract<Answer, { kind: 'answered' }> => a?.kind === 'answered' && a.status >= 200 && a.status < 300;

/** The alert with index `i`: a small market buy with an explicit idempotency id. */
export function alertBody(secret: string, i: number, prefix = 'crash'): string {
  return JSON.stringify({ secret, id: `${prefix}-${i}`, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.001' });
}

export async function send(url: string, body: string, strategyId = 'strat_demo'): Promise<Answer> {
  try {
    const response = await fetch(`${url}/webhook/${strategyId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let signalId: string | undefined;
    try {
      signalId = (JSON.parse(text) as { signalId?: string }).signalId;
    } catch {
      // not JSON
    }
    return { kind: 'answered', status: response.status, ...(signalId !== undefined ? { signalId } : {}), body: text };
  } catch (error) {
    return { kind: 'failed', error: String(error) };
  }
}

/** Sends alerts `indices` with `concurrency` workers; `onAnswer` sees each result as it comes; `stop()` ends early. */
export async function fire(url: string, secret: string, indices: readonly number[], concurrency: number, onAnswer: (i: number, a: Answer) => void, stop: () => boolean = () => false): Promise<void> {
  const queue = [...indices];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = queue.shift(); i !== undefined && !stop(); i = queue.shift()) onAnswer(i, await send(url, alertBody(secret, i)));
    }),
  );
}

/** Every item of a paged list endpoint (small pages, to exercise paging). */
export async function pageAll<T>(url: string, path: string, token: string): Promise<T[]> {
  const items: T[] = [];
  let before: number | undefined;
  for (let page = 0; page < 1000; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const response = await fetch(`${url}${path}${sep}limit=100${before !== undefined ? `&before=${before}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    const body = (await response.json()) as Page<T>;
    items.push(...body.items);
    if (body.nextBefore === undefined) return items;
    before = body.nextBefore;
  }
  throw new Error('paging did not end');
}

/** A small deterministic generator (mulberry32), so a failing schedule can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
