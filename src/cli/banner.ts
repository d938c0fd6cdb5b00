import type { PatriotRuntime } from '../bootstrap/runtime.js';

/**
 * The start-up banner on stdout: where PATRIOT listens and, for the demo strategy, the
 * webhook URL and the alert message to paste into TradingView. The message holds the
 * strategy's own secret on purpose (TradingView cannot send headers), so it is printed
 * for the operator here and never goes through the structured log.
 */
export function printBanner(runtime: PatriotRuntime, out: NodeJS.WritableStream = process.stdout): void {
  const lines = ['', `PATRIOT is listening on ${runtime.url}`, `  API docs:     ${runtime.publicUrl}/docs`, `  Health:       ${runtime.publicUrl}/health`];
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
      `    curl -s '${runtime.publicUrl}/api/v1/positions'`,
      `  Demo user:    ${demo.userId} (admin of tenant ${demo.tenantId}); no password is set — this version has no`,
      '                login, so the API answers for the demo tenant to anyone who can reach it: keep HOST on loopback.',
    );
  }
  out.write(`${lines.join('\n')}\n\n`);
}
