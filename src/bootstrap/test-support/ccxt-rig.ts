/**
 * A Binance-compatible sandbox and a PATRIOT server trading it through ccxt: one account on
 * "binance" pointed at the sandbox, one strategy on it. Shared by the ccxt end-to-end specs.
 */
import { expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinanceSandbox } from '../../adapters/exchanges/sandbox/binance-sandbox.js';
import { SyntheticPriceFeed } from '../../adapters/marketdata/synthetic-price-feed.js';
import { SANDBOX_MARKETS, SANDBOX_START_PRICES } from '../../adapters/exchanges/paper/sandbox-markets.js';
import { systemClock } from '../../adapters/system/system-clock.js';
import { configureStrategy, openAccount } from '../../application/commands/configure.js';
import { KeyedMutex } from '../../application/shared/keyed-mutex.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { Market } from '../../application/ports/exchange.js';
import { fetchJson, makeTempDir, postAlert, startTestServer, waitUntil, type OrderView, type Page, type TestServer } from '../../../test/support/server.js';
import { webhookSecretKey } from '../runtime.js';
import type { PatriotConfig } from '../config.js';
import { DEMO_TENANT } from '../demo.js';
import { recordSecrets } from '../../../test/support/secret-scan.js';

export const API_KEY = 'sandboxKeyForPatriot01';
export const API_SECRET = 'sandbox-secret-never-logged-7f3a9c';
export const WITHDRAW_KEY = 'sandboxKeyThatCanWithdraw02';
export const WITHDRAW_SECRET = 'sandbox-withdraw-secret-2b8d41';
export const WEBHOOK_SECRET = 'webhook-secret-for-binance-strategy';
export const ACCOUNT = 'acc_bn';
recordSecrets(API_KEY, API_SECRET, WITHDRAW_KEY, WITHDRAW_SECRET, WEBHOOK_SECRET);
export const STRATEGY = 'strat_bn';

export interface Rig {
  readonly sandbox: BinanceSandbox;
  readonly feed: SyntheticPriceFeed;
  readonly server: TestServer;
}

const rigs: Rig[] = [];

/** Closes every rig started so far (call from afterEach / afterAll), then checks its logs never held the exchange secret. */
export async function closeRigs(): Promise<void> {
  for (const r of rigs.splice(0)) {
    await r.server.close();
    await r.sandbox.close();
    const logs = r.server.logs.text();
    expect(logs.includes(API_SECRET), 'the exchange API secret appeared in the logs').toBe(false);
    expect(logs.includes(API_KEY), 'the exchange API key appeared in the logs').toBe(false);
  }
}

/** A sandbox with a funded API account, and PATRIOT with a binance account on it and a strategy trading it. */
export interface RigOptions {
  readonly visibilityMs?: number;
  readonly orderType?: 'market' | 'limit';
  /** how PATRIOT gets the exchange keys: the operator's file (default) or PUT /accounts/:id/credentials */
  readonly credentialsVia?: 'file' | 'api';
  readonly masterKey?: string;
  /** reuse a data directory (a restart) */
  readonly dataDir?: string;
  /** how long the exchange's circuit breaker stays open (default: the server's) */
  readonly breakerCoolDownMs?: number;
  /** market-data settings (price age, waits) */
  readonly marketData?: PatriotConfig['marketData'];
  /** how long an order the exchange did not place is tried again (default: the server's) */
  readonly orderRetryWithinMs?: number;
  /** how often the fill stream's orders are checked over REST while it is up (default: the server's) */
  readonly fillStreamAuditMs?: number;
  /** the sandbox's markets (default: its realistic list of 62) */
  readonly sandboxMarkets?: readonly Market[];
  /** a limit order's distance below the reference price, in basis points (default 500) */
  readonly limitOffsetBps?: string;
  /** the price the sandbox trades BTC/USDT at (default 97000) */
  readonly btcPrice?: string;
  /** the binance account's market type (default spot); swap trades the sandbox's /fapi */
  readonly marketType?: 'spot' | 'swap';
  /** the sandbox account's starting balances, and PATRIOT's account's (default 100,000 USDT) */
  readonly balances?: readonly { asset: string; amount: string }[];
}

export async function rig(options: RigOptions = {}): Promise<Rig> {
  // the sandbox lists Binance's realistic market list, each symbol priced by its own feed: PATRIOT's binance account trades those prices
  const feed = new SyntheticPriceFeed({ clock: systemClock, seed: 3, markets: options.sandboxMarkets ?? SANDBOX_MARKETS, startPrices: SANDBOX_START_PRICES });
  feed.setPrice('BTC/USDT', options.btcPrice ?? '97000');
  const sandbox = await BinanceSandbox.start({
    feed, partialFills: false, ...(options.sandboxMarkets ? { markets: options.sandboxMarkets } : {}),
    accounts: [
      { apiKey: API_KEY, secret: API_SECRET, accountId: 'sbx', balances: [...(options.balances ?? [{ asset: 'USDT', amount: '100000' }])] },
      // a key of the same account that may also withdraw funds: PATRIOT must refuse it
      { apiKey: WITHDRAW_KEY, secret: WITHDRAW_SECRET, accountId: 'sbx', enableWithdrawals: true },
    ],
  });
  const dir = makeTempDir('patriot-ccxt-');
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ [ACCOUNT]: { apiKey: API_KEY, secret: API_SECRET } }));
  const viaApi = options.credentialsVia === 'api';
  const server = await startTestServer({
    dataDir: options.dataDir ?? join(dir, 'data'),
    config: {
      ...(viaApi ? {} : { credentialsFile }), exchangeUrls: { binance: sandbox.httpUrl }, exchangeVisibilityMs: options.visibilityMs ?? 1500,
      ...(options.masterKey !== undefined ? { masterKey: options.masterKey } : {}),
      ...(options.breakerCoolDownMs !== undefined ? { breakerCoolDownMs: options.breakerCoolDownMs } : {}),
      ...(options.marketData !== undefined ? { marketData: options.marketData } : {}),
      ...(options.orderRetryWithinMs !== undefined ? { orderRetryWithinMs: options.orderRetryWithinMs } : {}),
      ...(options.fillStreamAuditMs !== undefined ? { fillStreamAuditMs: options.fillStreamAuditMs } : {}),
    },
    lookupDelaysMs: [100, 200, 400],
    logLevel: 'info',
  });
  const { runtime } = server;
  const deps = { store: runtime.events, mutex: new KeyedMutex(), clock: systemClock };
  if (runtime.events && (await runtime.events.readStream(`account-${ACCOUNT}`)).length > 0) {
    // a restart on the same data: the account, the strategy and its keys are already there
    const again = { sandbox, feed, server };
    rigs.push(again);
    await waitUntil(() => runtime.node.ownedAccounts().includes(ACCOUNT), 'the node to own the binance account');
    return again;
  }
  const opened = await openAccount(deps, {
    accountId: ACCOUNT, tenantId: DEMO_TENANT, name: 'Binance (sandbox)', exchange: 'binance', quoteAsset: 'USDT', ...(options.marketType ? { marketType: options.marketType } : {}),
    initialBalances: [...(options.balances ?? [{ asset: 'USDT', amount: '100000' }])], risk: {},
  }, 'test');
  expect(opened.ok).toBe(true);
  await runtime.kv.set(webhookSecretKey(STRATEGY), WEBHOOK_SECRET);
  // a limit buy 5 % below the reference price rests on the book
  const template = options.orderType === 'limit' ? { type: 'limit' as const, offsetBps: options.limitOffsetBps ?? '500' } : { type: 'market' as const };
  const configured = await configureStrategy(deps, {
    strategyId: STRATEGY, tenantId: DEMO_TENANT, name: 'binance', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
    accounts: [{ accountId: ACCOUNT, sizing: { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: template }],
  }, () => DEMO_TENANT, 'test');
  expect(configured.ok).toBe(true);
  await waitUntil(() => runtime.node.ownedAccounts().includes(ACCOUNT), 'the node to own the binance account');
  await waitUntil(async () => (await fetchJson(runtime, `/api/v1/accounts/${ACCOUNT}`)).status === 200, 'the account in the read models');
  if (viaApi) {
    const put = await fetchJson(runtime, `/api/v1/accounts/${ACCOUNT}/credentials`, { method: 'PUT', json: { apiKey: API_KEY, secret: API_SECRET } });
    expect(put.status, put.text).toBe(200);
  }
  const r = { sandbox, feed, server };
  rigs.push(r);
  return r;
}

export async function alert(r: Rig, id: string, quantity = '0.01'): Promise<string> {
  const answer = await postAlert(r.server.runtime, { secret: WEBHOOK_SECRET, id, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity }, { strategyId: STRATEGY });
  expect(answer.status, answer.text).toBe(202);
  return answer.body.signalId!;
}

/** An alert of the rig's strategy with these fields (ticker BINANCE:BTCUSDT, quantity 0.01 unless given); its signal id. */
export async function alertWith(r: Rig, id: string, fields: Record<string, string>): Promise<string> {
  const answer = await postAlert(r.server.runtime, { secret: WEBHOOK_SECRET, id, ticker: 'BINANCE:BTCUSDT', quantity: '0.01', ...fields }, { strategyId: STRATEGY });
  expect(answer.status, answer.text).toBe(202);
  return answer.body.signalId!;
}

export async function orderOf(r: Rig, signalId: string): Promise<string> {
  return waitUntil(async () => {
    const events = await r.server.runtime.events.readAll(0, 10_000);
    const approved = events.find((e) => e.type === 'OrderApproved' && (e.data as { signalId: string }).signalId === signalId);
    if (approved) return (approved.data as { clientOrderId: string }).clientOrderId;
    // routed without an approved order: say why at once rather than waiting out the time-out
    const processed = events.find((e) => e.type === 'SignalProcessed' && (e.data as { signalId: string }).signalId === signalId);
    if (processed) throw new Error(`the signal was routed without an approved order: ${JSON.stringify(processed.data)}`);
    return undefined;
  }, 'the order to be approved');
}

export const history = (r: Rig, clientOrderId: string): Promise<RecordedEvent[]> => r.server.runtime.events.readStream(`order-${clientOrderId}`);
export const types = async (r: Rig, clientOrderId: string) => (await history(r, clientOrderId)).map((e) => e.type);

/** Waits for the order to be filled in the log, then checks the exchange holds exactly it, placed once, in the same state. */
export async function expectFilledOnce(r: Rig, clientOrderId: string, withinMs = 15_000): Promise<string[]> {
  await waitUntil(async () => (await types(r, clientOrderId)).includes('OrderFilled'), `order ${clientOrderId} filled in the log`, withinMs, 50);
  const atExchange = await r.sandbox.exchange.fetchOrder('sbx', clientOrderId);
  expect(atExchange?.status).toBe('filled');
  expect(r.sandbox.exchange.placementAttempts('sbx', clientOrderId)).toBe(1);
  await r.server.runtime.settle();
  const orders = (await fetchJson<Page<OrderView>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}`)).body.items;
  const ours = orders.find((o) => o.clientOrderId === clientOrderId)!;
  expect(ours).toMatchObject({ status: 'filled', filledQuantity: atExchange!.filledQuantity, exchangeOrderId: atExchange!.exchangeOrderId });
  return types(r, clientOrderId);
}

