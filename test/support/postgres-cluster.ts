import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster for the test run: Debian's postgresql binaries, initdb in a
 * temp dir, pg_ctl start on a free loopback port, torn down at the end. As root (CI), the
 * server runs as the `postgres` user, since initdb refuses root.
 */
export interface TestCluster {
  readonly url: string;
  /** crash the server (pg_ctl stop -m immediate): clients see their connections die */
  pause(): void;
  /** start it again on the same port (crash recovery runs) */
  resume(): void;
  stop(): void;
}

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return path ? path.replace(/\/initdb$/, '') : undefined;
}

export function postgresAvailable(): boolean {
  return binDir() !== undefined;
}


/** `port`: listen there (a test that started a client against it first); default a free port. */
export async function startCluster(options: { port?: number } = {}): Promise<TestCluster> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'patriot-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    execFileSync(cmd, argv, { stdio: 'pipe', cwd: dir });
  };
  run('initdb', ['-D', data, '--auth=trust', '--username=patriot', '--encoding=UTF8', '--no-sync']);
  const port = options.port ?? (await freePort());
  const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=on -c synchronous_commit=on -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  start();
  return {
    url: `postgres://patriot@127.0.0.1:${port}/postgres`,
    pause: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch (error) {
        // say why: pg_ctl's own words and the end of the server's log
        const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-3000) : '(no server log)';
        throw new Error(`pg_ctl stop failed: ${(error as Error).message}\n--- server.log ---\n${log}`);
      }
    },
    resume: start,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
