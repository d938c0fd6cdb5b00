/**
 * The deployment recipe's files (deploy/): the systemd units pass `systemd-analyze verify` (where
 * systemd-analyze is installed), and the example environment file is a configuration PATRIOT accepts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/bootstrap/config.js';

const DEPLOY = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'deploy');
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deploy/', () => {
  // under CI=true a missing systemd-analyze is a failure (.ci/run installs Debian's systemd), never a silent skip
  it.skipIf(!hasAnalyze && process.env.CI !== 'true')('the systemd units pass systemd-analyze verify', () => {
    expect(hasAnalyze, 'systemd-analyze is not installed: apt-get install systemd').toBe(true);
    const run = spawnSync('systemd-analyze', ['verify', 'patriot.service', 'patriot-backup.service', 'patriot-backup.timer'], { cwd: DEPLOY, encoding: 'utf8' });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('the service keeps to its state directory and drops privileges', () => {
    const unit = readFileSync(join(DEPLOY, 'patriot.service'), 'utf8');
    for (const line of ['User=patriot', 'StateDirectory=patriot', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/patriot', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'ProtectHome=yes', 'EnvironmentFile=/etc/patriot/patriot.env', 'UMask=0077']) {
      expect(unit.split('\n'), line).toContain(line);
    }
  });

  it('the example environment file is a configuration PATRIOT accepts: loopback, the trusted local proxy, TradingView only, no secrets in the banner', () => {
    const env: Record<string, string> = {};
    for (const line of readFileSync(join(DEPLOY, 'patriot.env.example'), 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      if (match) env[match[1]!] = match[2]!;
    }
    const config = loadConfig({ ...env, PATRIOT_DATA_DIR: '/var/lib/patriot' });
    expect(config.host).toBe('127.0.0.1');
    expect(config.security.trustProxy).toEqual(['loopback']);
    expect(config.security.webhookAllow).toEqual(['tradingview']);
    expect(config.security.bannerSecrets).toBe(false);
    expect(config.publicUrl).toBe('https://patriot.example.com');
  });
});
