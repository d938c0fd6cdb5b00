import type { PatriotRuntime } from '../bootstrap/runtime.js';

/**
 * The start-up banner on stdout: where PATRIOT listens and, for the demo strategy, the
 * webhook URL and the alert message to paste into TradingView. The message holds the
 * strategy's own secret on purpose (TradingView cannot send headers), so it is printed
 * for the operator here and never goes through the structured log.
 */
export function printBanner(runtime: PatriotRuntime, out: NodeJS.WritableStream = process.stdout): void {
  const lines = ['', `PATRIOT is listening on ${runtime.url}`, `  Dashboard:    ${runtime.publicUrl}/app/`, `  API docs:     ${runtime.publicUrl}/docs`, `  Health:       ${runtime.publicUrl}/health`];
  const demo = runtime.demo;
  if (demo) {
    lines.push(
      '',
      'Demo strategy (paper account with 100,000 USDT):',
      `  Webhook URL:  ${demo.webhookUrl}`,
      '  TradingView alert message (paste into the alert\'s "Message" box):',
      ...demo.alertMessage.split('\n').map((l) => `    ${l}`),
      '',
      '  Try it now:',
      `    curl -s -X POST '${demo.webhookUrl}' -H 'content-type: application/json' \\`,
      `      -d '{"secret":"${demo.secret}","action":"buy","ticker":"BINANCE:BTCUSDT","contracts":"0.01"}'`,
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
