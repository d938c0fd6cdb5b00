/**
 * Configuration changes made while alerts flow, for the load, crash and multi-node suites: paper
 * accounts and their strategies created back to back through the API of whichever node is
 * picked, each new strategy's first alert sent at once (to a node of the caller's choosing). A
 * request that gets no answer (its node died) is made again on the node picked next.
 */
import { DEMO_PASSWORD, login } from './server.js';
import { send } from './alert-load.js';
import { recordSecrets } from './secret-scan.js';

interface Node {
  readonly url: string;
}

export interface Configured {
  readonly accountId: string;
  readonly strategyId: string;
  /** the new strategy's first alert, acknowledged */
  readonly signalId: string;
}

const tokens = new Map<string, string>();

async function tokenFor(node: Node): Promise<string> {
  let token = tokens.get(node.url);
  if (token === undefined) {
    token = await login(node, 'demo', DEMO_PASSWORD);
    if (token === undefined) throw new Error(`the demo login was refused by ${node.url}`);
    tokens.set(node.url, token);
  }
  return token;
}

async function post<T>(node: Node, path: string, json: unknown): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${node.url}/api/v1${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${await tokenFor(node)}`, 'content-type': 'application/json' }, body: JSON.stringify(json), signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

/** `attempt` on the node `pick()` names, again (on the node named then) while the node does not answer. */
async function onSomeNode<T>(pick: () => Node, what: string, attempt: (node: Node) => Promise<T>, tries: number): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await attempt(pick());
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${what}: no node answered (${String(last)})`);
}

/**
 * Creates `count` paper accounts and a strategy on each, back to back, on the nodes `configureOn`
 * picks; sends each strategy's first alert to the node `alertOn` picks. Throws (with the answer)
 * when a node refuses an account it or another node just created.
 */
export interface ConfigureOptions {
  /** how often a request that got no answer is made (default 40, a quarter second apart) */
  readonly tries?: number;
  /** a strategy was configured on a new account (before its first alert is sent) */
  readonly onStrategy?: (strategy: { readonly accountId: string; readonly strategyId: string; readonly secret: string; readonly firstAlert: string }) => void;
  /** stop before the next configuration */
  readonly stop?: () => boolean;
}

/** The first alert of a configured strategy (its id makes a re-send a repeat). */
export const firstAlertOf = (secret: string, prefix: string, k: number): string =>
  JSON.stringify({ secret, id: `${prefix}-first-${k}`, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.001' });

export async function configureBackToBack(count: number, prefix: string, configureOn: (k: number) => Node, alertOn: (k: number) => Node, options: ConfigureOptions = {}): Promise<Configured[]> {
  const configured: Configured[] = [];
  const tries = options.tries ?? 40;
  for (let k = 0; k < count && !(options.stop?.() ?? false); k++) {
    const account = await onSomeNode(() => configureOn(k), 'open an account', (node) => post<{ accountId: string }>(node, '/accounts', { name: `${prefix} account ${k}`, exchange: 'paper', startingBalance: '50000' }), tries);
    if (account.status !== 201) throw new Error(`opening account ${k}: ${account.status} ${account.text}`);
    const strategy = await onSomeNode(() => configureOn(k + 1), 'configure a strategy', (node) =>
      post<{ strategy: { strategyId: string }; webhook: { secret: string } }>(node, '/strategies', {
        name: `${prefix} strategy ${k}`,
        accounts: [{ accountId: account.body.accountId, sizing: { kind: 'fixed_quantity', quantity: '0.001' }, orderTemplate: { type: 'market' } }],
      }),
      tries,
    );
    if (strategy.status !== 201) throw new Error(`a strategy for account ${account.body.accountId}, just created: ${strategy.status} ${strategy.text}`);
    recordSecrets(strategy.body.webhook.secret); // searched for in every log at the end of the run
    const body = firstAlertOf(strategy.body.webhook.secret, prefix, k);
    options.onStrategy?.({ accountId: account.body.accountId, strategyId: strategy.body.strategy.strategyId, secret: strategy.body.webhook.secret, firstAlert: body });
    const alert = await onSomeNode(() => alertOn(k), 'send the first alert', async (node) => {
      const a = await send(node.url, body, strategy.body.strategy.strategyId);
      if (a.kind === 'failed' || a.status >= 500) throw new Error(JSON.stringify(a));
      return a;
    }, tries);
    if (alert.status !== 202 && alert.status !== 200) throw new Error(`the first alert of ${strategy.body.strategy.strategyId}: ${alert.status} ${alert.body}`);
    configured.push({ accountId: account.body.accountId, strategyId: strategy.body.strategy.strategyId, signalId: alert.signalId! });
  }
  return configured;
}
