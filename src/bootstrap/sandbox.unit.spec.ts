import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { parseBalances, sandboxSettingsFromEnv } from './sandbox.js';

const generated = (length: number) => 'g'.repeat(length);

describe('sandboxSettingsFromEnv', () => {
  it('defaults: port 9100 on loopback, ./data/sandbox-exchange.db, generated key, secret and admin token, 100,000 USDT', () => {
    const settings = sandboxSettingsFromEnv({}, generated);
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      port: 9100,
      dataFile: join(resolve('./data'), 'sandbox-exchange.db'),
      accountId: 'sandbox',
      apiKey: 'g'.repeat(64),
      secret: 'g'.repeat(64),
      secretGenerated: true,
      adminToken: 'g'.repeat(32),
      adminTokenGenerated: true,
      balances: [{ asset: 'USDT', amount: '100000' }],
      feed: { seed: 42, intervalMs: 250 },
      takerFeeBps: 10,
      makerFeeBps: 2,
      slippageBps: 5,
      markets: 'sandbox',
    });
  });

  it('takes the environment and does not mark given secrets as generated', () => {
    const settings = sandboxSettingsFromEnv(
      {
        HOST: '0.0.0.0',
        PATRIOT_SANDBOX_PORT: '0',
        PATRIOT_DATA_DIR: '/srv/x',
        PATRIOT_SANDBOX_API_KEY: 'key1',
        PATRIOT_SANDBOX_API_SECRET: 's3cret',
        PATRIOT_SANDBOX_ADMIN_TOKEN: 'tok',
        PATRIOT_SANDBOX_ACCOUNT_ID: 'acct',
        PATRIOT_SANDBOX_BALANCES: 'USDT=5, BTC=0.5',
        PATRIOT_TAKER_FEE_BPS: '0',
      },
      generated,
    );
    expect(settings).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dataFile: '/srv/x/sandbox-exchange.db',
      apiKey: 'key1',
      secret: 's3cret',
      secretGenerated: false,
      adminToken: 'tok',
      adminTokenGenerated: false,
      accountId: 'acct',
      balances: [
        { asset: 'USDT', amount: '5' },
        { asset: 'BTC', amount: '0.5' },
      ],
      takerFeeBps: 0,
    });
  });

  it('refuses bad values with ConfigError', () => {
    expect(() => sandboxSettingsFromEnv({ PATRIOT_SANDBOX_PORT: '70000' })).toThrow(ConfigError);
    expect(() => sandboxSettingsFromEnv({ PATRIOT_SANDBOX_PORT: '91a' })).toThrow(ConfigError);
    expect(() => sandboxSettingsFromEnv({ PATRIOT_SANDBOX_API_KEY: 'bad key' })).toThrow(ConfigError);
    expect(() => sandboxSettingsFromEnv({ PATRIOT_SANDBOX_MARKETS: 'all' })).toThrow(ConfigError);
    expect(sandboxSettingsFromEnv({ PATRIOT_SANDBOX_MARKETS: 'paper' }, generated).markets).toBe('paper');
    expect(() => parseBalances('USDT')).toThrow(ConfigError);
    expect(() => parseBalances('USDT=-1')).toThrow(ConfigError);
    expect(() => parseBalances('usdt=1')).toThrow(ConfigError);
    expect(parseBalances('')).toEqual([]);
  });

  it('generates distinct random credentials by default', () => {
    const a = sandboxSettingsFromEnv({});
    const b = sandboxSettingsFromEnv({});
    expect(a.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(a.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(new Set([a.apiKey, a.secret, b.apiKey, b.secret]).size).toBe(4);
  });
});
