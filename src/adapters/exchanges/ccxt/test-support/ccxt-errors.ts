import ccxt, { type Exchange } from 'ccxt';

const instances = new Map<string, Exchange>();

function instance(exchangeId: string): Exchange {
  let ex = instances.get(exchangeId);
  if (!ex) {
    const Ctor = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[exchangeId];
    if (!Ctor) throw new Error(`no ccxt exchange ${exchangeId}`);
    ex = new Ctor({});
    instances.set(exchangeId, ex);
  }
  return ex;
}

const DEFAULT_URL: Record<string, string> = {
  binance: 'https://api.binance.com/api/v3/order',
  bybit: 'https://api.bybit.com/v5/order/create',
  okx: 'https://www.okx.com/api/v5/trade/order',
};

/**
 * The error a real ccxt instance throws for this HTTP answer: runs the exchange's own
 * `handleErrors` then the generic status handler, exactly like ccxt's `handleRestResponse`.
 */
export function ccxtErrorFor(exchangeId: string, status: number, body: string, options: { url?: string; method?: string; statusText?: string } = {}): Error {
  const ex = instance(exchangeId);
  const url = options.url ?? DEFAULT_URL[exchangeId] ?? 'https://example.invalid/api';
  const method = options.method ?? 'POST';
  const statusText = options.statusText ?? 'Bad Request';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  try {
    const skip = ex.handleErrors(status, statusText, url, method, {}, body, parsed, {}, '');
    if (skip === undefined) ex.handleHttpStatusCode(status, statusText, url, method, body);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`ccxt ${exchangeId} did not throw for ${status} ${body}`);
}
