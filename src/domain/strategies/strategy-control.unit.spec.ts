import { describe, expect, it } from 'vitest';
import { strategyControlDecider as d, type StrategyControlEvent } from './strategy-control.js';
import { fold } from '../shared/decider.js';
import type { StrategyConfig } from './strategy.js';

const config: StrategyConfig = { strategyId: 's1', tenantId: 't', name: 'n', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0, accounts: [] };
const configured: StrategyControlEvent = { type: 'StrategyConfigured', data: config };
const types = (history: StrategyControlEvent[], command: Parameters<typeof d.decide>[0]) => {
  const r = d.decide(command, fold(d, history));
  return r.ok ? r.value.map((e) => e.type) : r.error.code;
};

describe('strategy control decider', () => {
  it('pauses an active strategy once; resumes a paused one once', () => {
    expect(types([configured], { type: 'Pause', by: 'u', reason: 'r' })).toEqual(['StrategyPaused']);
    const paused: StrategyControlEvent = { type: 'StrategyPaused', data: { strategyId: 's1', by: 'u', reason: 'r' } };
    expect(types([configured, paused], { type: 'Pause', by: 'u', reason: 'r' })).toEqual([]);
    expect(types([configured, paused], { type: 'Resume', by: 'u' })).toEqual(['StrategyResumed']);
    expect(types([configured], { type: 'Resume', by: 'u' })).toEqual([]);
  });

  it('a new configuration keeps the pause; a deleted strategy is not found for anything', () => {
    const paused: StrategyControlEvent = { type: 'StrategyPaused', data: { strategyId: 's1', by: 'u', reason: 'r' } };
    expect(fold(d, [configured, paused, configured]).status).toBe('paused');
    const deleted: StrategyControlEvent = { type: 'StrategyDeleted', data: { strategyId: 's1', by: 'u' } };
    for (const command of [{ type: 'Pause', by: 'u', reason: 'r' }, { type: 'Resume', by: 'u' }, { type: 'Delete', by: 'u' }] as const) {
      expect(types([configured, deleted], command)).toBe('STRATEGY_NOT_FOUND');
    }
    expect(types([], { type: 'Delete', by: 'u' })).toBe('STRATEGY_NOT_FOUND');
  });
});
