/**
 * Turning SQLite's terse failures ("unable to open database file", "database disk image is
 * malformed") into messages that name the file, the likely cause and what to do.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** A data file PATRIOT cannot use; `message` names the file, the cause and the remedy. */
export class StorageFileError extends Error {
  constructor(
    message: string,
    /** the file concerned */
    readonly path: string,
    /** SQLite's (or the OS's) error code, e.g. SQLITE_CANTOPEN, SQLITE_CORRUPT, EACCES */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageFileError';
  }
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const writable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** True for SQLite's "the file is damaged / not a database" codes (extended codes included). */
export function isCorruption(error: unknown): boolean {
  const code = codeOf(error) ?? '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/**
 * Explains a failure to open or use a SQLite file of the data directory. `what` says which file it
 * is to PATRIOT ("the event log", "the read models"). Errors already explained pass through.
 */
export function explainSqliteFailure(path: string, what: string, error: unknown): Error {
  if (error instanceof StorageFileError) return error;
  const code = codeOf(error);
  const said = error instanceof Error ? error.message : String(error);
  const dir = dirname(path);
  const uid = process.getuid?.();
  const who = uid === undefined ? 'this user' : `this user (uid ${uid})`;
  let cause: string;
  let remedy: string;
  if (isCorruption(error)) {
    cause = 'the file is damaged or is not a SQLite database (a disk fault, a copy taken while the server was writing, or another file put in its place)';
    remedy = /event log/.test(what)
      ? 'stop the server and restore this file (with its -wal file) from a backup; run `patriot verify` to see where the log stops being readable'
      : 'stop the server, move this file aside and run `patriot rebuild-read-models` to rebuild it from the event log';
  } else if (code === 'SQLITE_READONLY' || (code ?? '').startsWith('SQLITE_READONLY_') || code === 'EROFS') {
    cause = `the file or its directory is read-only for ${who}`;
    remedy = `make ${dir} and the files in it writable by the user running PATRIOT, or set PATRIOT_DATA_DIR to a writable directory`;
  } else if (code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EPERM' || (code ?? '').startsWith('SQLITE_CANTOPEN_') || code === 'SQLITE_IOERR_SHMOPEN') {
    if (!existsSync(dir)) {
      cause = `the directory ${dir} does not exist and could not be created`;
      remedy = 'create it, or set PATRIOT_DATA_DIR to an existing writable directory';
    } else if (!statSync(dir).isDirectory()) {
      cause = `${dir} is not a directory`;
      remedy = 'set PATRIOT_DATA_DIR to a directory';
    } else if (!writable(dir)) {
      cause = `the directory ${dir} is not writable by ${who} (SQLite creates the file and its -wal and -shm files there)`;
      remedy = `give ${who} write permission on ${dir}, or set PATRIOT_DATA_DIR to a writable directory`;
    } else if (existsSync(path) && !writable(path)) {
      cause = `the file is not writable by ${who}`;
      remedy = `give ${who} write permission on ${path}`;
    } else {
      cause = 'the file cannot be opened (permissions, a full or read-only file system, or too many open files)';
      remedy = `check ${dir} and the free space of its file system`;
    }
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    cause = 'the file system is full';
    remedy = `free space on the file system holding ${dir}`;
  } else if (code === 'SQLITE_BUSY' || (code ?? '').startsWith('SQLITE_BUSY_')) {
    cause = 'another process holds a lock on the file for too long';
    remedy = 'check that no other program (or a second PATRIOT on the same data directory) keeps it locked';
  } else {
    cause = 'an unexpected error';
    remedy = `check the file and the free space and permissions of ${dir}`;
  }
  return new StorageFileError(`cannot use ${what} ${path}: ${said}${code ? ` (${code})` : ''}. Likely cause: ${cause}. What to do: ${remedy}.`, path, code, { cause: error });
}
