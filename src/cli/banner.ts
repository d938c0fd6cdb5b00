import { appendFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { PatriotRuntime } from '../bootstrap/runtime.js';

export interface BannerOptions {
  /** print generated secrets (default); false: write them to a 0600 file in the data directory instead (PATRIOT_BANNER_SECRETS=false) */
  readonly secrets?: boolean;
  readonly dataDir?: string;
}

/** Where generated secrets go when they are kept out of stdout (and so out of service logs). */
export const SECRETS_FILE = 'initial-secrets.txt';

/**
 * The start-up banner on stdout: where PATRIOT listens and, for the demo strategy, the
 * webhook URL and the alert message to paste into TradingView. The message holds the
 * strategy's own secret on purpose (TradingView cannot send headers), so it is printed
 * for the operator here and never goes through the structured log. Where stdout is collected
 * (a service manager's journal), `secrets: false` keeps the secret and a generated demo password
 * out of it: they are appended to `<data dir>/initial-secrets.txt` (mode 0600) when created.
 */
export function printBanner(runtime: PatriotRuntime, out: NodeJS.WritableStream = process.stdout, options: BannerOptions = {}): void {
  const lines = ['', `PATRIOT is listening on ${runtime.url}`, `  Dashboard:    ${runtime.publicUrl}/app/`, `  API docs:     ${runtime.publicUrl}/docs`, `  Health:       ${runtime.publicUrl}/health`];
  const demo = runtime.demo;
  if (demo && options.secrets === false) {
    const created = [
      ...(demo.secretCreatedNow ? [`demo strategy ${demo.strategyId} webhook secret: ${demo.secret}`, 'TradingView alert message:', demo.alertMessage] : []),
      ...(demo.login.password !== undefined ? [`demo login: ${demo.login.username} / ${demo.login.password}`] : []),
    ];
    const file = options.dataDir !== undefined ? join(options.dataDir, SECRETS_FILE) : undefined;
    if (created.length > 0 && file !== undefined) {
      appendFileSync(file, `# ${new Date().toISOString()}: created by this start, shown nowhere else\n${created.join('\n')}\n\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    lines.push(
      '',
      'Demo strategy (paper account with 100,000 USDT):',
      `  Webhook URL:  ${demo.webhookUrl}`,
      `  Its secret, the alert message and a generated demo password are not printed (PATRIOT_BANNER_SECRETS=false)${file !== undefined ? `: see ${file} (mode 0600), written when they were created` : ''}.`,
      `  Demo login:   ${demo.login.username} (admin of tenant ${demo.tenantId})`,
    );
  } else if (demo) {
    lines.push(
      '',
      'Demo strategy (paper account with 100,000 USDT):',
      `  Webhook URL:  ${demo.webhookUrl}`,
      '  TradingView alert message (paste into the alert\'s "Message" box):',
      ...demo.alertMessage.split('\n').map((l) => `    ${l}`),
      '',
      '  Try it now:',
      `    curl -s -X POST '${demo.webhookUrl}' -H 'content-type: application/json' \\`,
      // a fresh id on every run (the time and a random number, expanded by the shell): the same body again would be a duplicate
      `      -d '{"secret":"${demo.secret}","id":"try-'"$(date +%s)-$RANDOM"'","action":"buy","ticker":"BINANCE:BTCUSDT","contracts":"0.01"}'`,
      `    TOKEN=$(curl -s -X POST '${runtime.publicUrl}/api/v1/auth/login' -H 'content-type: application/json' \\`,
      `      -d '{"username":"${demo.login.username}","password":"${demo.login.password ?? '<the demo password>'}"}' | sed 's/.*"accessToken":"\\([^"]*\\)".*/\\1/')`,
      `    curl -s '${runtime.publicUrl}/api/v1/positions' -H "authorization: Bearer $TOKEN"`,
      demo.login.password !== undefined
        ? `  Demo login:   ${demo.login.username} / ${demo.login.password}  (admin of tenant ${demo.tenantId}; created now, shown this once)`
        : `  Demo login:   ${demo.login.username} (admin of tenant ${demo.tenantId}); its password is PATRIOT_DEMO_PASSWORD, or was printed once when it was created`,
    );
  }
  out.write(`${lines.join('\n')}\n\n`);
}
