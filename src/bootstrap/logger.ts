import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../application/ports/logger.js';

/** Paths pino masks wherever they appear: secrets, tokens, passwords and keys never reach a log line. */
export const REDACT_PATHS = [
  'secret', '*.secret', 'token', '*.token', 'password', '*.password', 'apiKey', '*.apiKey', 'apiSecret', '*.apiSecret',
  'passphrase', '*.passphrase', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie', 'masterKey', '*.masterKey',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Pino {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        // the query string may carry ?token=: log the path only
        req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0] }),
      },
    },
    destination as never,
  );
}

/** The application's Logger port on top of pino. */
export function asLogger(log: Pino): Logger {
  return {
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
}
