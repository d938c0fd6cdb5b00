/**
 * Discord and Slack incoming webhooks (issue 19) through the same delivery processor as signed
 * webhooks, against a local HTTP receiver: each event of the chosen kinds arrives as one line of
 * text in the chat's own body; text from outside cannot mention anyone or inject markup; a 429 is
 * tried again and delivered once; the test button posts a chat message too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notifyWorld } from './test-support/notify-world.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A chat's incoming webhook: keeps each request's body and event-id header; can answer 429 first. */
class ChatReceiver {
  readonly bodies: { body: Record<string, unknown>; eventId: string }[] = [];
  tooManyFirst = 0;
  requests = 0;
  private server: Server | undefined;
  url = '';

  async up(path: string): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        if (this.tooManyFirst > 0) {
          this.tooManyFirst--;
          res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"message":"You are being rate limited.","retry_after":0.05}');
          return;
        }
        this.bodies.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, eventId: String(req.headers['x-patriot-event-id'] ?? '') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    closers.push(() => new Promise<void>((resolve) => this.server!.close(() => resolve())));
  }

  async waitFor(count: number): Promise<void> {
    while (this.bodies.length < count) await new Promise((r) => setTimeout(r, 20));
  }
}

async function world() {
  const w = await notifyWorld();
  closers.push(() => w.close());
  return w;
}

const fill = { clientOrderId: 'c1', accountId: 'acc_bn', strategyId: 's1', tradeId: 'tr1', symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', price: '97000.5', fee: '0.97', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-12-07T00:00:00.000Z', cumulativeQuantity: '0.01', complete: true };
const hostile = { signalId: 'sig1', strategyId: 's1', idempotencyKey: 'k', receivedAt: '2026-12-07T00:00:00.000Z', bodySha256: '0'.repeat(64), code: 'UNKNOWN_SYMBOL', message: 'Field "ticker" is "@everyone <!channel> <https://evil.example|click>"' };

describe('Discord and Slack incoming webhooks', () => {
  it('each event arrives as one line of text in the chat\'s body; mentions and markup from outside are disarmed; a 429 is tried again and delivered once', async () => {
    const w = await world();
    const discord = new ChatReceiver();
    const slack = new ChatReceiver();
    await discord.up('/api/webhooks/123/token-part');
    await slack.up('/services/T000/B000/secretpart');
    discord.tooManyFirst = 1;
    const d = await w.admin.create('t1', { url: discord.url, kinds: ['fill', 'alert_rejected', 'kill_switch'], format: 'discord' });
    const s = await w.admin.create('t1', { url: slack.url, kinds: ['fill', 'alert_rejected'], format: 'slack' });
    expect([d.ok, s.ok]).toEqual([true, true]);
    if (!d.ok || !s.ok) return;
    expect([d.value.endpoint.format, s.value.endpoint.format, d.value.endpoint.maskedUrl]).toEqual(['discord', 'slack', `${new URL(discord.url).protocol}//${new URL(discord.url).host}/…`]);
    await w.webhooks.start();
    await w.append('order-c1', 'OrderFilled', fill);
    await w.append('signal-sig1', 'SignalRejected', hostile);
    await w.append('account-acc_bn', 'KillSwitchEngaged', { accountId: 'acc_bn', reason: 'daily loss limit' });
    await discord.waitFor(3);
    await slack.waitFor(2);

    expect(discord.requests).toBe(4); // the 429, then each of the three once
    expect(discord.bodies.map((b) => b.body.allowed_mentions)).toEqual([{ parse: [] }, { parse: [] }, { parse: [] }]);
    expect(discord.bodies[0]!.body.content).toBe('**PATRIOT** · Filled: BUY 0.01 BTC/USDT @ 97000.5 on acc_bn (fee 0.97 USDT, order c1)');
    expect(discord.bodies[2]!.body.content).toBe('**PATRIOT** · Kill switch ENGAGED on acc_bn: daily loss limit');
    expect(new Set(discord.bodies.map((b) => b.eventId)).size).toBe(3);
    const slackRejected = String(slack.bodies[1]!.body.text);
    expect(slackRejected).toContain('&lt;!channel&gt;');
    expect(slackRejected).not.toMatch(/<!channel>|<https:/);
    expect(slack.bodies.every((b) => Object.keys(b.body).join() === 'text')).toBe(true);

    const test = await w.admin.sendTest('t1', d.value.endpoint.endpointId);
    expect(test.ok && test.value.delivered).toBe(true);
    expect(String(discord.bodies.at(-1)!.body.content)).toContain('PATRIOT test message');
  });

  it('an unknown format is refused with UNKNOWN_FORMAT and nothing is created', async () => {
    const w = await world();
    const created = await w.admin.create('t1', { url: 'https://hooks.slack.com/services/x', kinds: ['fill'], format: 'teams' });
    expect(created.ok ? 'created' : created.error.code).toBe('UNKNOWN_FORMAT');
    expect(await w.admin.list('t1')).toEqual([]);
  });
});
