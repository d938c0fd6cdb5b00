/**
 * PostgreSQL schema of the event store (run by PostgresEventStore.open through runMigrations).
 *
 * - events: data and metadata hold the exact canonical JSON text that was hashed (text, not
 *   jsonb: jsonb would reorder keys and normalise numbers, and verifyChain must recompute the
 *   hash from what is stored). tx_id records the writing transaction, so readers can tell rows
 *   of transactions older than every in-flight one (see PostgresEventStore.readAll).
 * - event_head: one row holding the head position and hash. Every append transaction locks it
 *   FOR UPDATE first, which serialises writers across all processes sharing the database and
 *   makes global positions contiguous (a rolled-back transaction leaves the head untouched).
 * - dedupe: idempotency claims taken atomically with an append.
 * - checkpoints: named positions of log consumers.
 */
import type { Migration } from '../../postgres/migrations.js';

export const EVENT_STORE_MIGRATIONS: Migration[] = [
  {
    id: '0100_event_store',
    sql: `
CREATE TABLE IF NOT EXISTS events (
  global_position bigint PRIMARY KEY,
  stream_id       text   NOT NULL,
  stream_version  int    NOT NULL,
  type            text   NOT NULL,
  data            text   NOT NULL,
  metadata        text   NOT NULL,
  tenant_id       text   NOT NULL,
  correlation_id  text,
  causation_id    text,
  recorded_time   text   NOT NULL,
  prev_hash       text   NOT NULL,
  hash            text   NOT NULL,
  tx_id           xid8   NOT NULL DEFAULT pg_current_xact_id(),
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
  CONSTRAINT events_position_positive CHECK (global_position > 0),
  CONSTRAINT events_version_positive CHECK (stream_version > 0)
);
CREATE INDEX IF NOT EXISTS events_by_correlation
  ON events (correlation_id, global_position) WHERE correlation_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS event_head (
  id       boolean PRIMARY KEY DEFAULT true CHECK (id),
  position bigint  NOT NULL,
  hash     text    NOT NULL
);
INSERT INTO event_head (id, position, hash) VALUES (true, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS dedupe (
  scope text NOT NULL,
  key   text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE IF NOT EXISTS checkpoints (
  name     text   PRIMARY KEY,
  position bigint NOT NULL
);
`,
  },
];
