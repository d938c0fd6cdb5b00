import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has sensible defaults: loopback, port 8080, ./data, demo on', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: resolve('data'), demo: true, logLevel: 'info' });
    expect(config.paper).toEqual({ takerFeeBps: 10, makerFeeBps: 2, slippageBps: 5, maxOpenOrders: 200 });
    expect(config.leaseIntervalMs).toBe(1000);
    expect(config.nodeId).toMatch(/.+-\d+$/);
  });

  it('reads the node and lease settings, refusing nonsense', () => {
    const config = loadConfig({ PATRIOT_NODE_ID: 'node-a', PATRIOT_LEASE_INTERVAL_MS: '250', PATRIOT_PAPER_MAX_OPEN_ORDERS: '5' });
    expect(config).toMatchObject({ nodeId: 'node-a', leaseIntervalMs: 250, paper: { maxOpenOrders: 5 } });
    expect(() => loadConfig({ PATRIOT_LEASE_INTERVAL_MS: '10' })).toThrow(/PATRIOT_LEASE_INTERVAL_MS/);
    expect(() => loadConfig({ PATRIOT_PAPER_MAX_OPEN_ORDERS: '0' })).toThrow(/PATRIOT_PAPER_MAX_OPEN_ORDERS/);
  });

  it('the heap growing percent: 50 by default, 0 hands it back to V8, nonsense is refused', () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ PATRIOT_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ PATRIOT_HEAP_GROWING_PERCENT: '200' }).heapGrowingPercent).toBe(200);
    for (const bad of ['-1', '1001', '12.5', 'lots']) expect(() => loadConfig({ PATRIOT_HEAP_GROWING_PERCENT: bad })).toThrow(/PATRIOT_HEAP_GROWING_PERCENT/);
  });

  it('reads the environment', () => {
    const config = loadConfig({ PORT: '0', HOST: '0.0.0.0', PATRIOT_DATA_DIR: '/tmp/x', PATRIOT_PUBLIC_URL: 'https://bot.example.com/', PATRIOT_DEMO: 'false' });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0', dataDir: '/tmp/x', publicUrl: 'https://bot.example.com', demo: false });
  });

  it('reads a JSON config file, with the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patriot-cfg-'));
    const file = join(dir, 'patriot.json');
    writeFileSync(file, JSON.stringify({ PORT: 9000, HOST: '10.0.0.1', PATRIOT_SLIPPAGE_BPS: 7 }));
    try {
      expect(loadConfig({ PATRIOT_CONFIG: file, HOST: '127.0.0.2' })).toMatchObject({ port: 9000, host: '127.0.0.2', paper: { slippageBps: 7 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer between 0 and 65535/],
    [{ PATRIOT_SLIPPAGE_BPS: '-1' }, /PATRIOT_SLIPPAGE_BPS must be a number/],
    [{ PATRIOT_CONFIG: '/nonexistent/patriot.json' }, /not a readable JSON file/],
    [{ DATABASE_URL: 'mysql://u:p@localhost/db' }, /DATABASE_URL must be a postgres/],
  ])('refuses %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a DATABASE_URL password in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@localhost/db' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@localhost/db' })).not.toThrow(/hunter2/);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost/db' }).databaseUrl).toBe('postgres://u:p@localhost/db');
  });

  it('the event stream (issue 19): off by default; PATRIOT_NATS_URL turns it on with a stream and a subject prefix; bad values are refused', () => {
    expect(loadConfig({}).outbound.nats).toBeUndefined();
    expect(loadConfig({ PATRIOT_NATS_URL: 'nats://127.0.0.1:4222' }).outbound.nats).toEqual({ url: 'nats://127.0.0.1:4222', stream: 'PATRIOT', subjectPrefix: 'patriot' });
    expect(loadConfig({ PATRIOT_NATS_URL: 'tls://bus:4222', PATRIOT_NATS_STREAM: 'EVENTS', PATRIOT_NATS_SUBJECT_PREFIX: 'acme.patriot' }).outbound.nats).toEqual({ url: 'tls://bus:4222', stream: 'EVENTS', subjectPrefix: 'acme.patriot' });
    expect(() => loadConfig({ PATRIOT_NATS_URL: 'http://bus' })).toThrow(/PATRIOT_NATS_URL/);
    expect(() => loadConfig({ PATRIOT_NATS_URL: 'nats://bus', PATRIOT_NATS_SUBJECT_PREFIX: 'a.>' })).toThrow(/PATRIOT_NATS_SUBJECT_PREFIX/);
    expect(() => loadConfig({ PATRIOT_NATS_URL: 'nats://bus', PATRIOT_NATS_STREAM: 'a b' })).toThrow(/PATRIOT_NATS_STREAM/);
  });
});
