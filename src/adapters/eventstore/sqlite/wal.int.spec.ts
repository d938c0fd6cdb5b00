import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { enableWal } from './wal.js';

const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Another connection (a worker thread: another process's stand-in) holds a RESERVED lock on a
 * new, still rollback-mode file, as a second node does while it converts the file to WAL. It
 * releases when the shared cell says so.
 */
async function holdReserved(path: string, release: Int32Array): Promise<Worker> {
  const worker = new Worker(`
    const Database = require(${JSON.stringify(betterSqlite)});
    const { parentPort, workerData } = require('node:worker_threads');
    const db = new Database(workerData.path);
    db.exec('BEGIN IMMEDIATE');
    parentPort.postMessage('held');
    Atomics.wait(workerData.release, 0, 0);
    db.exec('COMMIT');
    db.close();
  `, { eval: true, workerData: { path, release } });
  await new Promise((held) => worker.once('message', held));
  return worker;
}

describe('enableWal', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'patriot-wal-'));
    dirs.push(dir);
    return join(dir, 'new.db');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('waits while another connection converts the new file, where the plain pragma fails at once', async () => {
    const path = fresh();
    const release = new Int32Array(new SharedArrayBuffer(4));
    const worker = await holdReserved(path, release);
    const db = new Database(path);
    db.pragma('busy_timeout = 5000');
    // the precondition, made true rather than hoped for: SQLite refuses without invoking the busy handler
    expect(() => db.pragma('journal_mode = WAL')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    let refused = 0;
    const mode = enableWal(db, 60_000, () => {
      refused++;
      Atomics.store(release, 0, 1); // the other side finishes after this first refusal
      Atomics.notify(release, 0);
    });
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(mode).toBe('wal');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await worker.terminate();
  });

  it('gives up with SQLITE_BUSY once its wait is spent', async () => {
    const path = fresh();
    const release = new Int32Array(new SharedArrayBuffer(4));
    const worker = await holdReserved(path, release);
    const db = new Database(path);
    let refused = 0;
    expect(() => enableWal(db, 30, () => refused++)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    expect(refused).toBeGreaterThanOrEqual(1);
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    db.close();
    await worker.terminate();
  });

  it('leaves an in-memory database in memory mode, and a WAL file in WAL', () => {
    const memory = new Database(':memory:');
    expect(enableWal(memory)).toBe('memory');
    memory.close();
    const path = fresh();
    const first = new Database(path);
    expect(enableWal(first)).toBe('wal');
    const second = new Database(path);
    expect(enableWal(second)).toBe('wal');
    first.close();
    second.close();
  });
});
