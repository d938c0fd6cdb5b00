import { classifyCcxtError, type ErrorClassification } from '../error-classification.js';
import { ccxtErrorFor } from './ccxt-errors.js';

/** Shorthands for the error-classification specs: real ccxt errors from exchange answers, classified at a fixed `NOW`. */
export const NOW = 1_575_431_000_000;
export const classify = (id: string, error: unknown, headers?: Record<string, string>): ErrorClassification =>
  classifyCcxtError(id, error, { now: NOW, ...(headers ? { responseHeaders: headers } : {}) });
export const binance = (status: number, body: string, extra: { statusText?: string; method?: string; url?: string } = {}) => ccxtErrorFor('binance', status, body, extra);
export const bybit = (body: string) => ccxtErrorFor('bybit', 200, body, { statusText: 'OK' });
export const okx = (body: string) => ccxtErrorFor('okx', 200, body, { statusText: 'OK' });
export const bybitBody = (code: number, msg: string) => JSON.stringify({ retCode: code, retMsg: msg, result: {}, retExtInfo: {}, time: 1700000000000 });
export const okxBody = (code: string, msg: string) => JSON.stringify({ code, data: [], msg });
export const okxOrderBody = (sCode: string, sMsg: string) =>
  JSON.stringify({ code: '1', data: [{ clOrdId: '0123456789abcdef0123456789abcdef', ordId: '', sCode, sMsg, tag: '' }], msg: 'All operations failed' });
