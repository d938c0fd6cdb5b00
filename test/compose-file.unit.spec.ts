/**
 * deploy/compose.yaml, checked without a container engine (test/compose.e2e.spec.ts runs it with
 * podman-compose where PATRIOT_CONTAINER_BASE is set): PATRIOT from the Dockerfile and PostgreSQL,
 * DATABASE_URL pointing at that service with the password from .env, the master key as a secret
 * (never in the file), both data directories as volumes, a healthcheck on /ready, PATRIOT published
 * on loopback only and PostgreSQL not at all, and the settings it gives PATRIOT accepted by its
 * configuration.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/bootstrap/config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const text = readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8');
interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  env_file?: string;
  secrets?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const file = parse(text) as { services: Record<string, Service>; secrets: Record<string, { file: string }>; volumes: Record<string, unknown> };
const { patriot, postgres } = file.services as { patriot: Service; postgres: Service };
/** compose's ${VAR:-default} and ${VAR:?message}, with the values given */
const substitute = (value: string, vars: Record<string, string>) =>
  value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, kind?: string, rest?: string) => vars[name] ?? (kind === '-' ? rest! : ''));

describe('deploy/compose.yaml', () => {
  it('builds PATRIOT from the Dockerfile (base image an argument) and starts it after PostgreSQL is healthy', () => {
    expect(patriot.build).toEqual({ context: '..', args: { BASE: expect.stringContaining('${PATRIOT_BASE_IMAGE') } });
    expect(patriot.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(postgres.image).toMatch(/postgres/);
    expect(postgres.healthcheck?.test).toContain('pg_isready');
    expect(patriot.healthcheck?.test.join(' ')).toContain('/ready');
  });

  it('wires DATABASE_URL to the postgres service with the password from .env, and the master key from a secret file', () => {
    const vars = { POSTGRES_PASSWORD: 'pw-from-env-file' };
    const url = new URL(substitute(patriot.environment!.DATABASE_URL!, vars));
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(postgres.environment!.POSTGRES_USER);
    expect(url.password).toBe('pw-from-env-file');
    expect(url.pathname).toBe(`/${postgres.environment!.POSTGRES_DB}`);
    expect(substitute(postgres.environment!.POSTGRES_PASSWORD!, vars)).toBe('pw-from-env-file');
    expect(postgres.environment!.POSTGRES_PASSWORD).toMatch(/\$\{POSTGRES_PASSWORD:\?/); // refuses to start without one
    expect(patriot.secrets).toEqual(['master_key']);
    expect(file.secrets.master_key).toEqual({ file: './master.key' });
    expect(patriot.environment!.PATRIOT_MASTER_KEY_FILE).toBe('/run/secrets/master_key');
    expect(text).not.toMatch(/PATRIOT_MASTER_KEY=|POSTGRES_PASSWORD: [^$]/);
    // what PATRIOT is given is a configuration it accepts
    const config = loadConfig({ ...Object.fromEntries(Object.entries(patriot.environment!).map(([k, v]) => [k, substitute(v, vars)])) });
    expect(config.databaseUrl).toBe(url.href);
    expect(config.masterKeyFile).toBe('/run/secrets/master_key');
  });

  it('keeps both data directories in named volumes; PATRIOT is published on loopback only, PostgreSQL not at all', () => {
    expect(patriot.volumes).toEqual(['data:/data']);
    expect(postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(file.volumes).sort()).toEqual(['data', 'pgdata']);
    expect(patriot.ports).toHaveLength(1);
    expect(patriot.ports![0]).toMatch(/^127\.0\.0\.1:/);
    expect(postgres.ports).toBeUndefined();
    expect(patriot.env_file).toBe('patriot.env');
  });
});
