#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../bootstrap/config.js';

// Each command imports what it runs (below): \`serve\` does not load the sandbox, the maintenance
// tools or the replay CLI, and the others do not load the server (start-up time; bench/README.md).
const maintenance = () => import('../bootstrap/maintenance.js');

const HELP = `patriot <command>

  serve    run the server (SQLite + paper exchange + demo strategy by default)
  migrate  apply pending PostgreSQL schema migrations (DATABASE_URL); serve also does it on start
  verify   check the event log's hash chain; exit 1 and name the first broken position
  replay   rebuild every read model from the event log and compare with the current ones
  rebuild-read-models  empty the read models and snapshots and rebuild them from the event log as it is (after a log was
           lost or replaced and no backup is restored; serve refuses to start on such a data directory until then)
  backup <file>   copy the SQLite data directory's databases into one file, consistently, while the server runs
           (not the master key: keep it separately); with DATABASE_URL use pg_dump (README, "Backups")
  restore <file> [--force]  put a backup into PATRIOT_DATA_DIR (refused unless it is empty but for master.key, or --force;
           stop the server first), then check the restored log's hash chain
  create-admin <username>  a new tenant and its first admin (password from PATRIOT_ADMIN_PASSWORD, else generated and printed once)
  rotate-master-key  re-wrap stored exchange credentials under PATRIOT_MASTER_KEY (the old key in PATRIOT_MASTER_KEY_PREVIOUS)
  replay-alerts <file> (--prices <csv> | --exchange <url> [--timeframe 1h]) [--symbol BTC/USDT] [--ticker BTCUSDT]
           [--strategy <json>] [--balance 100000] [--store sqlite|postgres] [--json]
           replay an alert history (JSON/CSV of time,message, or TradingView's "List of trades") through the trading
           engine on a paper account in a store of its own, and print the report (docs/adr/0025)
  sandbox  run a Binance-compatible spot exchange (the paper exchange behind Binance's API) for ccxt on PATRIOT_SANDBOX_PORT (9100)

Configuration: PORT, HOST, PATRIOT_DATA_DIR, DATABASE_URL, PATRIOT_PUBLIC_URL, LOG_LEVEL, PATRIOT_CONFIG (JSON file of the same keys).`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { force: { type: 'boolean' } } });
  const command = positionals[0] ?? 'help';
  process.umask(0o077); // whatever PATRIOT creates (stores, key files, sockets) is its own user's only
  switch (command) {
    case 'serve': {
      const config = loadConfig();
      const [{ startPatriot }, { printBanner }] = await Promise.all([import('../bootstrap/runtime.js'), import('./banner.js')]);
      const runtime = await startPatriot(config);
      printBanner(runtime, process.stdout, { secrets: config.security.bannerSecrets, dataDir: config.dataDir });
      const shutdown = (signal: string) => {
        runtime.logger.info({ signal }, 'shutting down');
        runtime.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      return -1;
    }
    case 'migrate': {
      const { migrate } = await import('../bootstrap/storage.js');
      const applied = await migrate(loadConfig());
      process.stdout.write(`${JSON.stringify({ applied })}\n`);
      return 0;
    }
    case 'verify': {
      const { verifyLog } = await maintenance();
      const result = await verifyLog(loadConfig());
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return result.ok ? 0 : 1;
    }
    case 'replay': {
      const { replayProjections } = await maintenance();
      const result = await replayProjections(loadConfig());
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return result.identical ? 0 : 1;
    }
    case 'rebuild-read-models': {
      const { rebuildReadModels } = await maintenance();
      const result = await rebuildReadModels(loadConfig());
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    case 'backup':
    case 'restore': {
      const file = positionals[1];
      if (!file) {
        process.stderr.write(`usage: patriot ${command} <file>${command === 'restore' ? ' [--force]' : ''}\n`);
        return 2;
      }
      const config = loadConfig();
      const [{ BackupError, backupDataDir, restoreDataDir }, { verifyLog }] = await Promise.all([import('../bootstrap/backup.js'), maintenance()]);
      try {
        if (command === 'backup') {
          process.stdout.write(`${JSON.stringify(await backupDataDir(config, file))}\n`);
          return 0;
        }
        const restored = await restoreDataDir(config, file, values.force === true);
        const verified = await verifyLog(config);
        process.stdout.write(`${JSON.stringify({ ...restored, verify: verified })}\n`);
        return verified.ok ? 0 : 1;
      } catch (error) {
        if (!(error instanceof BackupError)) throw error;
        process.stderr.write(`${command} refused: ${error.message}\n`);
        return 2;
      }
    }
    case 'create-admin': {
      const username = positionals[1];
      if (!username) {
        process.stderr.write('usage: patriot create-admin <username>\n');
        return 2;
      }
      const { createAdmin } = await maintenance();
      const result = await createAdmin(loadConfig(), username, process.env.PATRIOT_ADMIN_PASSWORD);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    case 'rotate-master-key': {
      const { rotateMasterKey } = await maintenance();
      const result = await rotateMasterKey(loadConfig());
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    case 'replay-alerts':
      return (await import('./replay-alerts.js')).replayAlertsCommand(argv.slice(1), loadConfig(), process.stdout, process.stderr);
    case 'sandbox':
      return (await import('../bootstrap/sandbox.js')).runSandboxCommand(process.env, process.stdout);
    case 'help':
    case '--help':
      process.stdout.write(`${HELP}\n`);
      return 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? 'configuration error' : 'error'}: ${error instanceof Error ? error.message : String(error)}\n`);
    // exit now: a start-up that failed halfway leaves open what it had opened (the database pool,
    // timers), and a process that said "error" but stays alive is never restarted by its supervisor
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
