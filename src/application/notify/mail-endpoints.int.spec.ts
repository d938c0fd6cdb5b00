/**
 * E-mail endpoints (issue 19) through the same delivery processor, against a local SMTP server
 * (the smtp-server package): each event of the chosen kinds is one e-mail, sent with the URL's
 * credentials to its recipients; an SMTP server that is down delays only its own endpoint and
 * gets every event later, in order, with the same Message-ID; bad URLs are refused and nothing
 * is created; the password never shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { notifyWorld } from './test-support/notify-world.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});
const PASSWORD = 'smtp-pass-never-shown-4f2a';

interface Mail { from: string; to: string[]; raw: string; user: string }

/** A local SMTP server that checks the login and keeps each message. */
class MailServer {
  readonly mails: Mail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async up(port = 0): Promise<void> {
    const server = new SMTPServer({
      secure: false, authOptional: false, disabledCommands: ['STARTTLS'], logger: false,
      onAuth: (auth, _session, cb) => (auth.username === 'bot@example.com' && auth.password === PASSWORD ? cb(null, { user: auth.username }) : cb(new Error('535 bad login'))),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: String(session.user) });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async waitFor(count: number): Promise<void> {
    while (this.mails.length < count) await new Promise((r) => setTimeout(r, 20));
  }
}

async function world() {
  const w = await notifyWorld();
  closers.push(() => w.close());
  let fills = 0;
  const fill = async () => {
    const i = ++fills;
    await w.append(`order-c${i}`, 'OrderFilled', { clientOrderId: `c${i}`, accountId: 'acc1', strategyId: 's1', tradeId: `tr${i}`, symbol: 'BTC/USDT', side: 'buy', quantity: '0.01', price: '97000', fee: '0.97', feeCurrency: 'USDT', liquidity: 'taker', filledAt: new Date().toISOString(), cumulativeQuantity: '0.01', complete: true });
  };
  return { ...w, fill };
}

/** a header's value, unfolded (long headers continue on indented lines) */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim();

describe('e-mail endpoints over SMTP', () => {
  it('each fill is one e-mail with the login of the URL; an SMTP server down for a while gets every event later, in order, once each', async () => {
    const smtp = new MailServer();
    await smtp.up();
    closers.push(() => smtp.down());
    const w = await world();
    const url = `smtp://bot%40example.com:${PASSWORD}@127.0.0.1:${smtp.port}?to=me@example.com,desk@example.com&tls=none`;
    const created = await w.admin.create('t1', { url, kinds: ['fill'], format: 'email' });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.value.endpoint).toMatchObject({ format: 'email', maskedUrl: `smtp://127.0.0.1:${smtp.port}/…` });
    expect(JSON.stringify(await w.admin.list('t1'))).not.toContain(PASSWORD);
    await w.webhooks.start();
    await w.fill();
    await smtp.waitFor(1);
    const first = smtp.mails[0]!;
    expect([first.user, first.from, first.to]).toEqual(['bot@example.com', 'bot@example.com', ['me@example.com', 'desk@example.com']]);
    expect(header(first.raw, 'Subject')).toBe('[PATRIOT] Filled: BUY 0.01 BTC/USDT @ 97000 on acc1 (fee 0.97 USDT, order c1)');
    expect(header(first.raw, 'X-Patriot-Event-Id')).toMatch(/^evt_\d+$/);

    // the server goes away: deliveries wait (retried), then all arrive in order, each once
    const port = smtp.port;
    await smtp.down();
    await w.fill();
    await w.fill();
    const endpointId = created.value.endpoint.endpointId;
    const pending = await until(() => w.deliveries.recent(endpointId, 10), (log) => log.some((d) => d.status === 'pending' && d.attempts >= 2));
    expect(pending.find((d) => d.status === 'pending')?.lastError).toContain('connection');
    expect(JSON.stringify(pending)).not.toContain(PASSWORD);
    await smtp.up(port);
    // every event recorded delivered: nothing more is sent for them
    await until(() => w.deliveries.recent(endpointId, 10), (log) => log.filter((d) => d.status === 'delivered').length === 3);
    expect(smtp.mails).toHaveLength(3);
    expect(smtp.mails.map((m) => header(m.raw, 'X-Patriot-Event-Id'))).toEqual([...new Set(smtp.mails.map((m) => header(m.raw, 'X-Patriot-Event-Id')))]);
    expect(smtp.mails.map((m) => /order (c\d+)\)/.exec(header(m.raw, 'Subject') ?? '')?.[1])).toEqual(['c1', 'c2', 'c3']);
  });

  it('a wrong password is a failed delivery that says so, without the password; the test button sends one e-mail', async () => {
    const smtp = new MailServer();
    await smtp.up();
    closers.push(() => smtp.down());
    const w = await world();
    const wrong = await w.admin.create('t1', { url: `smtp://bot%40example.com:not-it@127.0.0.1:${smtp.port}?to=me@example.com&tls=none`, kinds: ['fill'], format: 'email' });
    const right = await w.admin.create('t1', { url: `smtp://bot%40example.com:${PASSWORD}@127.0.0.1:${smtp.port}?to=me@example.com&tls=none`, kinds: ['fill'], format: 'email' });
    if (!wrong.ok || !right.ok) throw new Error('not created');
    const failed = await w.admin.sendTest('t1', wrong.value.endpoint.endpointId);
    expect(failed.ok && failed.value).toMatchObject({ delivered: false, error: expect.stringContaining('SMTP login refused') });
    expect(JSON.stringify(failed)).not.toContain('not-it');
    const sent = await w.admin.sendTest('t1', right.value.endpoint.endpointId);
    expect(sent.ok && sent.value.delivered).toBe(true);
    expect(header(smtp.mails.at(-1)!.raw, 'Subject')).toContain('PATRIOT test message');
  });

  it('refuses unusable e-mail URLs with INVALID_URL and creates nothing', async () => {
    const w = await world();
    for (const url of [
      'https://example.com/hook?to=me@example.com', // not smtp
      'smtp://smtp.example.com', // no recipient
      'smtp://user:pw@smtp.example.com?to=me@example.com', // no sender (the user is not an address)
      'smtp://bot%40example.com:pw@smtp.example.com?to=not-an-address', // bad recipient
      'smtp://bot%40example.com:pw@smtp.example.com?to=a@x.com,b@x.com,c@x.com,d@x.com,e@x.com,f@x.com', // too many
      'smtp://bot%40example.com:pw@smtp.example.com?to=me@example.com&tls=maybe',
    ]) {
      const created = await w.admin.create('t1', { url, kinds: ['fill'], format: 'email' });
      expect(created.ok ? 'created' : created.error.code, url).toBe('INVALID_URL');
      expect(created.ok ? '' : created.error.message).not.toContain('pw@');
    }
    expect(await w.admin.list('t1')).toEqual([]);
  });
});
