/**
 * The whole-run secret scan. Every test server records the secrets configured or issued in it
 * (passwords, webhook secrets, tokens, API keys, exchange keys, the master key) and everything it
 * said (its log lines, and every HTTP answer the helpers received except the one answer that issued
 * a secret). At the end of the run, the global teardown looks for every recorded secret in
 * everything recorded by every server of every test file: none may appear anywhere.
 *
 * Records are appended to files in a directory made by the global setup (PATRIOT_TEST_SCAN_DIR),
 * one pair of files per test process, so the forks of the run need no coordination.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV = 'PATRIOT_TEST_SCAN_DIR';
/** shorter values ('k', 'test') occur by chance; every secret the suites configure is longer */
const MIN_SECRET_LENGTH = 12;

const dir = (): string | undefined => process.env[ENV];

/** Remembers values that must never appear in a log line or in an answer other than the one that issued them. */
export function recordSecrets(...secrets: readonly (string | undefined)[]): void {
  const at = dir();
  if (at === undefined) return;
  const kept = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  if (kept.length > 0) appendFileSync(join(at, `secrets-${process.pid}.jsonl`), kept.map((s) => JSON.stringify(s)).join('\n') + '\n');
}

/** Remembers something a server said (log text or an HTTP answer), labelled for the report. */
export function recordOutput(label: string, text: string): void {
  const at = dir();
  if (at === undefined || text.length === 0) return;
  appendFileSync(join(at, `output-${process.pid}.jsonl`), JSON.stringify({ label, text }) + '\n');
}

/** Answers that hand out a secret once, by design: their body is not scanned, the secrets in it are recorded. */
const ISSUING: readonly RegExp[] = [/^POST \/api\/v1\/auth\/(login|refresh)$/, /^POST \/api\/v1\/me\/api-keys$/, /^POST \/api\/v1\/strategies$/, /^POST \/api\/v1\/strategies\/[^/]+\/(secret|rotate-secret|signing-key)$/, /^POST \/api\/v1\/outbound-webhooks$/];
const ISSUED_FIELDS = ['accessToken', 'refreshToken', 'key', 'secret', 'webhookSecret'];

/** Every string under an issuing field name, at any depth of the answer. */
function issuedIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(issuedIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (typeof inner === 'string' ? (ISSUED_FIELDS.includes(key) ? [inner] : []) : issuedIn(inner)));
}

/** Records one HTTP answer a test received: issuing answers contribute secrets, every other answer is output. */
export function recordAnswer(method: string, path: string, status: number, text: string): void {
  if (dir() === undefined) return;
  const route = `${method.toUpperCase()} ${path.split('?')[0]}`;
  if (ISSUING.some((re) => re.test(route))) {
    try {
      recordSecrets(...issuedIn(JSON.parse(text)));
    } catch {
      // not JSON: an error answer, scanned like any other
      recordOutput(`${route} -> ${status}`, text);
    }
    return;
  }
  recordOutput(`${route} -> ${status}`, text);
}

/** For the global setup: a fresh directory for this run's records, announced to the forks through the environment. */
export function openScan(): string {
  const at = mkdtempSync(join(tmpdir(), 'patriot-secret-scan-'));
  process.env[ENV] = at;
  return at;
}

export interface ScanResult {
  readonly secrets: number;
  readonly outputs: number;
  readonly bytes: number;
  readonly leaks: readonly { readonly secret: string; readonly label: string }[];
}

/** For the global teardown: every recorded secret against every recorded output; the directory is removed. */
export function closeScan(at: string): ScanResult {
  const files = readdirSync(at);
  const lines = (prefix: string) => files.filter((f) => f.startsWith(prefix)).flatMap((f) => readFileSync(join(at, f), 'utf8').split('\n').filter((l) => l.length > 0));
  const secrets = [...new Set(lines('secrets-').map((l) => JSON.parse(l) as string))];
  const outputs = lines('output-').map((l) => JSON.parse(l) as { label: string; text: string });
  // one string with every output, searched once per secret; a hit is mapped back to its output's label
  const starts: number[] = [];
  let joined = '';
  for (const output of outputs) {
    starts.push(joined.length);
    joined += output.text + '\u0000';
  }
  const labelAt = (index: number): string => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return outputs[lo]!.label;
  };
  const leaks: { secret: string; label: string }[] = [];
  for (const secret of secrets) {
    const index = joined.indexOf(secret);
    if (index >= 0) leaks.push({ secret, label: labelAt(index) });
  }
  const bytes = joined.length - outputs.length;
  rmSync(at, { recursive: true, force: true });
  return { secrets: secrets.length, outputs: outputs.length, bytes, leaks };
}

/** A secret as it may be shown in a report: its first characters only. */
export const hint = (secret: string): string => `${secret.slice(0, 4)}…(${secret.length} chars)`;
