import type { Migration } from '../../postgres/migrations.js';

/**
 * Portfolio snapshots on PostgreSQL: one time-series table, portfolio_snapshots.
 *
 * When the TimescaleDB extension is installed on the server (pg_available_extensions) and can be
 * created in this database, the table is a hypertable partitioned on `time` by TimescaleDB.
 * Otherwise (TimescaleDB absent, or present but not loadable, e.g. missing from
 * shared_preload_libraries) it is a native `PARTITION BY RANGE (time)` table with one partition
 * per calendar month (UTC), named portfolio_snapshots_yYYYYmMM and created by the store ahead of
 * time and on demand, plus a DEFAULT partition that catches any row whose month has no partition
 * yet, so a write never fails for want of a partition.
 *
 * The primary key (tenant_id, account_id, time) is the equity-curve index: one range scan per
 * partition for an account and a time range (it contains the partitioning column, as both
 * native partitioning and TimescaleDB require of unique indexes). Decimals are numeric, which
 * keeps every digit written and reads back as text; balances are jsonb (asset -> decimal string).
 */
export const SNAPSHOT_MIGRATIONS: Migration[] = [
  {
    id: '0400_portfolio_snapshots',
    sql: `
      DO $migration$
      DECLARE
        use_timescale boolean := EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb');
      BEGIN
        IF NOT use_timescale AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS timescaledb;
            use_timescale := true;
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'timescaledb is available but could not be created (%); using native partitioning', SQLERRM;
          END;
        END IF;

        IF use_timescale THEN
          CREATE TABLE portfolio_snapshots (
            time           timestamptz NOT NULL,
            tenant_id      text COLLATE "C" NOT NULL,
            account_id     text COLLATE "C" NOT NULL,
            equity         numeric NOT NULL,
            unrealized_pnl numeric NOT NULL,
            balances       jsonb NOT NULL,
            PRIMARY KEY (tenant_id, account_id, time)
          );
          EXECUTE $$SELECT create_hypertable('portfolio_snapshots', 'time', chunk_time_interval => interval '30 days', if_not_exists => true)$$;
        ELSE
          CREATE TABLE portfolio_snapshots (
            time           timestamptz NOT NULL,
            tenant_id      text COLLATE "C" NOT NULL,
            account_id     text COLLATE "C" NOT NULL,
            equity         numeric NOT NULL,
            unrealized_pnl numeric NOT NULL,
            balances       jsonb NOT NULL,
            PRIMARY KEY (tenant_id, account_id, time)
          ) PARTITION BY RANGE (time);
          CREATE TABLE portfolio_snapshots_default PARTITION OF portfolio_snapshots DEFAULT;
        END IF;
      END
      $migration$;
    `,
  },
];
