import type Database from 'better-sqlite3';
import type { ConditionalOrderType } from '../../../domain/events.js';

/**
 * Stop and take-profit orders of the paper exchange (issue 17). The order itself is a row of
 * paper_orders (type: what it executes as once triggered, 'market' or 'limit'; status open while
 * it waits); its condition lives here, so files written before conditional orders existed open
 * unchanged (the table is created when missing).
 */
export const CONDITIONS_DDL = `
CREATE TABLE IF NOT EXISTS paper_conditions (
  order_id    INTEGER PRIMARY KEY REFERENCES paper_orders(order_id),
  kind        TEXT NOT NULL CHECK (kind IN ('stop_market', 'stop_limit', 'take_profit', 'take_profit_limit')),
  stop_price  TEXT NOT NULL,
  triggered   INTEGER NOT NULL CHECK (triggered IN (0, 1))
);
`;

/** Trailing stops: the distance in percent (or in price: `distance`, percent then '0') and the best price seen since placement (the stop follows it). */
export const TRAILING_DDL = `
CREATE TABLE IF NOT EXISTS paper_trailing (
  order_id  INTEGER PRIMARY KEY REFERENCES paper_orders(order_id),
  percent   TEXT NOT NULL,
  extreme   TEXT NOT NULL
);
`;

export interface TrailingRow {
  order_id: number;
  percent: string;
  extreme: string;
  /** a distance in price instead of the percent (issue 17); null for a percent */
  distance: string | null;
}

export interface ConditionRow {
  order_id: number;
  kind: ConditionalOrderType;
  stop_price: string;
  triggered: 0 | 1;
}

export class ConditionStatements {
  readonly get;
  readonly insert;
  readonly markTriggered;
  readonly setStop;
  readonly trailing;
  readonly insertTrailing;
  readonly setExtreme;

  constructor(db: Database.Database) {
    // one write transaction: two nodes sharing the file may start at once, and only one may add the column
    db.transaction(() => {
      db.exec(CONDITIONS_DDL);
      db.exec(TRAILING_DDL);
      // files from before trailing by price distance: the column is added once (null = a percent)
      const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('paper_trailing')").all();
      if (!columns.some((c) => c.name === 'distance')) db.exec('ALTER TABLE paper_trailing ADD COLUMN distance TEXT');
    }).immediate();
    this.setStop = db.prepare<[string, number]>('UPDATE paper_conditions SET stop_price = ? WHERE order_id = ?');
    this.trailing = db.prepare<[number], TrailingRow>('SELECT order_id, percent, extreme, distance FROM paper_trailing WHERE order_id = ?');
    this.insertTrailing = db.prepare<TrailingRow>('INSERT INTO paper_trailing (order_id, percent, extreme, distance) VALUES (@order_id, @percent, @extreme, @distance)');
    this.setExtreme = db.prepare<[string, number]>('UPDATE paper_trailing SET extreme = ? WHERE order_id = ?');
    this.get = db.prepare<[number], ConditionRow>('SELECT order_id, kind, stop_price, triggered FROM paper_conditions WHERE order_id = ?');
    this.insert = db.prepare<ConditionRow>('INSERT INTO paper_conditions (order_id, kind, stop_price, triggered) VALUES (@order_id, @kind, @stop_price, @triggered)');
    this.markTriggered = db.prepare<[number]>('UPDATE paper_conditions SET triggered = 1 WHERE order_id = ?');
  }
}
