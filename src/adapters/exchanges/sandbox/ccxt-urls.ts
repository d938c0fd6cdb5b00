/**
 * ccxt's binance `urls.api` (ccxt 4.5.x), every entry pointed at the sandbox, so a client built
 * with `urls: { api: ... }` cannot reach the real exchange by any path. Spot (`public`,
 * `private`, the two margin look-ups on `sapi`, `ws.spot`, `ws['ws-api'].spot`) and the USDⓈ-M
 * futures subset (`fapiPublic`, `fapiPrivate`, `fapiPrivateV2`/`V3`, market streams on `ws.future`)
 * are served; anything else gets a 404 from the sandbox instead of a request to binance.com.
 */
export interface BinanceCcxtUrls {
  readonly [api: string]: string | BinanceCcxtWsUrls;
  readonly public: string;
  readonly private: string;
  readonly ws: BinanceCcxtWsUrls;
}

export interface BinanceCcxtWsUrls {
  readonly [stream: string]: string | Readonly<Record<string, string>>;
  readonly spot: string;
  readonly 'ws-api': Readonly<Record<string, string>>;
}

const REST_PATHS: Readonly<Record<string, string>> = {
  public: '/api/v3',
  private: '/api/v3',
  v1: '/api/v1',
  sapi: '/sapi/v1',
  sapiV2: '/sapi/v2',
  sapiV3: '/sapi/v3',
  sapiV4: '/sapi/v4',
  dapiPublic: '/dapi/v1',
  dapiPrivate: '/dapi/v1',
  dapiPrivateV2: '/dapi/v2',
  dapiData: '/futures/data',
  eapiPublic: '/eapi/v1',
  eapiPrivate: '/eapi/v1',
  fapiPublic: '/fapi/v1',
  fapiPublicV2: '/fapi/v2',
  fapiPublicV3: '/fapi/v3',
  fapiPrivate: '/fapi/v1',
  fapiPrivateV2: '/fapi/v2',
  fapiPrivateV3: '/fapi/v3',
  fapiData: '/futures/data',
  papi: '/papi/v1',
  papiV2: '/papi/v2',
};

const WS_PATHS: Readonly<Record<string, string>> = {
  spot: '/ws',
  margin: '/ws',
  future: '/fws',
  delivery: '/dws',
  stock: '/equity/ws',
  option: '/public/ws',
  optionMarket: '/market/ws',
  optionPrivate: '/private/ws',
  papi: '/pm/ws',
};

/** `httpBase` like http://127.0.0.1:9100, `wsBase` like ws://127.0.0.1:9100 (no path). */
export function binanceCcxtUrls(httpBase: string, wsBase: string): BinanceCcxtUrls {
  const rest: Record<string, string> = {};
  for (const [api, path] of Object.entries(REST_PATHS)) rest[api] = `${httpBase}${path}`;
  const ws: Record<string, string | Record<string, string>> = {};
  for (const [stream, path] of Object.entries(WS_PATHS)) ws[stream] = `${wsBase}${path}`;
  ws['ws-api'] = { spot: `${wsBase}/ws-api/v3`, future: `${wsBase}/ws-fapi/v1`, delivery: `${wsBase}/ws-dapi/v1` };
  return { ...rest, ws } as unknown as BinanceCcxtUrls;
}
