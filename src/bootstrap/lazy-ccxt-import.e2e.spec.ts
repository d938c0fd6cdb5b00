/**
 * A server whose accounts are all on the paper exchange never loads ccxt (about 0.8 s of start-up
 * and its memory): every bare import the server process resolves is recorded by a module hook
 * (NODE_OPTIONS=--import), and 'ccxt' must not be among them once it is ready and has traded.
 * Nor does a server on SQLite without chat, e-mail or NATS load pg, grammY, nodemailer or the NATS
 * client, nor typebox's compiler (the replay CLI's), nor the sandbox (start-up time, issue 18).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, killAll, spawnServer, stopGracefully } from '../../test/support/processes.js';
import { DEMO_PASSWORD, cleanupTempDirs, makeTempDir } from '../../test/support/server.js';

describe('what a paper-only server on SQLite imports', () => {
  afterAll(async () => {
    await killAll();
    cleanupTempDirs();
  });

  it('starts, takes an alert and stops without ever importing ccxt, pg, grammy, nodemailer, nats or typebox/compile; the hook does see what it imports', { timeout: 120_000 }, async () => {
    ensureBuilt();
    const dir = makeTempDir('patriot-imports-');
    const record = join(dir, 'imports.txt');
    writeFileSync(record, '');
    writeFileSync(join(dir, 'hooks.mjs'), [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      `  if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('file:') && !specifier.startsWith('node:')) appendFileSync(${JSON.stringify(record)}, specifier + '\\n');`,
      '  return next(specifier, context);',
      '}',
    ].join('\n'));
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    const server = await spawnServer({ PATRIOT_DATA_DIR: join(dir, 'data'), PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD, NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` });
    const secret = /"secret":\s*"([^"]+)"/.exec(server.output())?.[1];
    expect(secret, 'the banner prints the demo secret').toBeDefined();
    const answer = await fetch(`${server.url}/webhook/strat_demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.001', id: 'imports-1' }) });
    expect(answer.status).toBe(202);
    expect(await stopGracefully(server)).toBe(0);
    const specifiers = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    const imported = new Set(specifiers.map((s) => s.split('/')[0] ?? s));
    expect(imported.has('fastify'), 'the hook recorded the server\'s imports').toBe(true);
    expect(imported.has('better-sqlite3')).toBe(true);
    expect([...imported].filter((s) => s.startsWith('ccxt'))).toEqual([]);
    expect([...imported].filter((s) => ['pg', 'grammy', 'nodemailer', 'nats'].includes(s))).toEqual([]);
    expect(imported.has('typebox'), 'the route schemas are built with typebox').toBe(true);
    expect(specifiers.filter((s) => s === 'typebox/compile')).toEqual([]);
  });
});
