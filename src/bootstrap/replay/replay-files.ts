// The replay CLI's input files (`patriot replay-alerts`), apart from replay-command.ts: the
// server, which replays through the API, never loads typebox's compiler.
import { readFileSync } from 'node:fs';
import { Compile } from 'typebox/compile';
import { ReplayStrategyBody } from '../../contracts/replay-api.js';
import { ReplayRefused } from './replay-command.js';

const strategyCheck = Compile(ReplayStrategyBody);

/** `patriot replay-alerts FILE --prices FILE` options, read from files. */
export function readReplayFiles(alertsFile: string, pricesFile: string | undefined, strategyFile: string | undefined): { alerts: string; prices?: string; strategy?: ReplayStrategyBody } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new ReplayRefused({ code: 'REPLAY_FILE_UNREADABLE', message: `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
    }
  };
  let strategy: ReplayStrategyBody | undefined;
  if (strategyFile !== undefined) {
    try {
      strategy = JSON.parse(read(strategyFile, 'the strategy')) as ReplayStrategyBody;
    } catch (error) {
      if (error instanceof ReplayRefused) throw error;
      throw new ReplayRefused({ code: 'REPLAY_BAD_STRATEGY', message: `the strategy file ${strategyFile} is not valid JSON` });
    }
    const errors = strategyCheck.Errors(strategy);
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new ReplayRefused({ code: 'REPLAY_BAD_STRATEGY', message: `the strategy file ${strategyFile}: ${first.instancePath || '/'} ${first.message} (fields: name, sizing, orderTemplate, risk, symbolMap, maxSignalAgeSeconds)` });
    }
  }
  return { alerts: read(alertsFile, 'the alert history'), ...(pricesFile !== undefined ? { prices: read(pricesFile, 'the prices') } : {}), ...(strategy ? { strategy } : {}) };
}
