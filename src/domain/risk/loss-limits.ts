import { Dec, decToString, parseDec } from '../shared/decimal.js';

/** Limits the equity watcher enforces by engaging the account's kill switch (ADR-0019). */
export interface LossLimits {
  /** the most equity may fall below the UTC day's first snapshot, in the quote asset */
  readonly dailyLossLimit?: string;
  /** the most equity may fall below its peak, in percent (0, 100) */
  readonly maxDrawdownPercent?: string;
}

export interface EquityReading {
  /** equity now: realised and unrealised PnL are both in it */
  readonly equity: Dec;
  /** the first equity of the UTC day (undefined: none yet) */
  readonly dayStartEquity?: Dec;
  /** the highest equity seen */
  readonly peakEquity?: Dec;
}

export interface LossBreach {
  readonly code: 'DAILY_LOSS_LIMIT' | 'MAX_DRAWDOWN';
  /** what the user sees as the kill switch's reason */
  readonly reason: string;
}

const s = (d: Dec) => decToString(d.toDecimalPlaces(8));

/**
 * Pure: the first limit the equity breaks, if any. Daily loss = the day's first equity minus equity
 * now (>= the limit breaks it); drawdown = (peak − equity) / peak in percent (>= the limit breaks
 * it). Limits that do not parse are ignored here (configuration refuses them).
 */
export function lossBreach(reading: EquityReading, limits: LossLimits): LossBreach | undefined {
  const daily = parseDec(limits.dailyLossLimit);
  if (daily !== undefined && daily.greaterThan(0) && reading.dayStartEquity !== undefined) {
    const loss = reading.dayStartEquity.minus(reading.equity);
    if (loss.greaterThanOrEqualTo(daily)) {
      return { code: 'DAILY_LOSS_LIMIT', reason: `daily loss limit: equity ${s(reading.equity)} is ${s(loss)} below the day's start ${s(reading.dayStartEquity)} (limit ${s(daily)}); engaged automatically` };
    }
  }
  const drawdown = parseDec(limits.maxDrawdownPercent);
  if (drawdown !== undefined && drawdown.greaterThan(0) && reading.peakEquity !== undefined && reading.peakEquity.greaterThan(0)) {
    const percent = reading.peakEquity.minus(reading.equity).dividedBy(reading.peakEquity).times(100);
    if (percent.greaterThanOrEqualTo(drawdown)) {
      return { code: 'MAX_DRAWDOWN', reason: `max drawdown: equity ${s(reading.equity)} is ${s(percent.toDecimalPlaces(2))} % below its peak ${s(reading.peakEquity)} (limit ${s(drawdown)} %); engaged automatically` };
    }
  }
  return undefined;
}
