/**
 * The start-up banner's "Try it now" alert (issue 20): run twice as printed (the shell expands
 * its id), it is two alerts, both accepted — not the second answered as a duplicate of the first.
 */
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startTestServer } from '../../test/support/server.js';
import { printBanner } from './banner.js';

afterAll(() => cleanupTempDirs());

describe('the banner\'s try-it-now alert', () => {
  it('sent twice as printed, it is two accepted alerts with their own ids', async () => {
    const server = await startTestServer();
    try {
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString('utf8')));
      printBanner(server.runtime, out, {});
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.includes('Try it now'));
      expect(at).toBeGreaterThan(0);
      const payload = /-d '(.*)'$/.exec(lines[at + 2]!.trim())?.[1];
      expect(payload, lines[at + 2]).toBeDefined();
      const url = /curl -s -X POST '([^']+)'/.exec(lines[at + 1]!)?.[1];
      // what bash sends: the single-quoted parts as they are, the $(...) part expanded
      const bodyOf = () => execFileSync('/usr/bin/bash', ['-c', `printf %s '${payload}'`], { encoding: 'utf8' });
      const answers = [];
      for (const body of [bodyOf(), bodyOf()]) {
        const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        answers.push({ status: res.status, body: (await res.json()) as { signalId: string; status: string } });
      }
      expect(answers.map((a) => [a.status, a.body.status])).toEqual([[202, 'accepted'], [202, 'accepted']]);
      expect(answers[0]!.body.signalId).not.toBe(answers[1]!.body.signalId);
    } finally {
      await server.close();
    }
  });
});
