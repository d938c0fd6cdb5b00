import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError, scrubSecrets } from './storage.js';

describe('scrubSecrets', () => {
  it('masks the URL and its password, raw and percent-decoded', () => {
    const url = 'postgres://patriot:p%40ss-word-1234@db.example.com:5432/patriot';
    const said = `cannot connect to ${url}; password "p@ss-word-1234" refused (p%40ss-word-1234)`;
    const out = scrubSecrets(said, url);
    expect(out).not.toContain('p@ss-word-1234');
    expect(out).not.toContain('p%40ss-word-1234');
    expect(out).toContain('db.example.com');
  });
});

describe('isTransientDatabaseError', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('waits for refused connections, a starting server and too many clients, also as the cause or inside an AggregateError', () => {
    expect(isTransientDatabaseError(withCode('ECONNREFUSED'))).toBe(true);
    expect(isTransientDatabaseError(withCode('57P03', 'the database system is starting up'))).toBe(true);
    expect(isTransientDatabaseError(new Error('cannot open PostgreSQL', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isTransientDatabaseError(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''))).toBe(true);
  });
  it('does not wait for wrong credentials or a missing database', () => {
    expect(isTransientDatabaseError(withCode('28P01', 'password authentication failed'))).toBe(false);
    expect(isTransientDatabaseError(withCode('3D000', 'database "nope" does not exist'))).toBe(false);
  });
});
