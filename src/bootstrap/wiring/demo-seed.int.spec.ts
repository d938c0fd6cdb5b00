/**
 * The demo login's hash is begun before the stores open only when the login will surely be set,
 * and what is begun is the hash of the very password that is set (or printed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from '@node-rs/bcrypt';
import { loadConfig } from '../config.js';
import { prepareDemoPassword } from './demo-seed.js';
import { cleanupTempDirs, makeTempDir } from '../../../test/support/server.js';

describe('prepareDemoPassword', () => {
  afterAll(() => cleanupTempDirs());

  it('hashes PATRIOT_DEMO_PASSWORD at every start, and a new password only for a new SQLite data directory', async () => {
    const fresh = makeTempDir('patriot-demo-seed-');
    const withPassword = prepareDemoPassword(loadConfig({}, { dataDir: fresh, demoPassword: 'the operator knows it' }));
    expect(withPassword?.password).toBe('the operator knows it');
    expect(await verify('the operator knows it', await withPassword!.hash)).toBe(true);

    const generated = prepareDemoPassword(loadConfig({}, { dataDir: fresh }));
    expect(generated?.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await verify(generated!.password, await generated!.hash)).toBe(true);

    const used = makeTempDir('patriot-demo-seed-');
    writeFileSync(join(used, 'patriot.db'), '');
    expect(prepareDemoPassword(loadConfig({}, { dataDir: used })), 'the login may exist: nothing is hashed ahead').toBeUndefined();
    expect(prepareDemoPassword(loadConfig({}, { dataDir: fresh, databaseUrl: 'postgres://patriot@127.0.0.1:1/patriot' })), 'on PostgreSQL the login may exist').toBeUndefined();
    expect(prepareDemoPassword(loadConfig({}, { dataDir: fresh, demo: false, demoPassword: 'x' })), 'no demo, no login').toBeUndefined();
  });
});
