import { describe, expect, it } from 'vitest';
import { answerCommand, HELP, runConfirmed, type TelegramControl } from './telegram-commands.js';

/** A control that records the commands it was asked to run. */
function control() {
  const ran: string[] = [];
  const c: TelegramControl = {
    access: async () => undefined,
    queries: {
      system: async () => ({ killSwitch: { engaged: true, reason: 'loss limit' } }),
      accounts: async () => [{ accountId: 'a1', name: 'Main', exchange: 'paper', quoteAsset: 'USDT', killSwitch: { engaged: false }, openedAt: '' }],
      positions: async () => [
        { accountId: 'a1', symbol: 'BTC/USDT', quantity: '0.5', averageEntryPrice: '100', realizedPnl: '10.5', feesPaid: '0.25', updatedAt: '', unrealizedPnl: '-2' },
        { accountId: 'a1', symbol: 'ETH/USDT', quantity: '0', averageEntryPrice: '0', realizedPnl: '-1', feesPaid: '0.25', updatedAt: '' },
      ],
      balances: async () => [{ accountId: 'a1', asset: 'USDT', total: '1000', updatedAt: '' }, { accountId: 'a1', asset: 'ETH', total: '0', updatedAt: '' }],
      openOrders: async () => ({ items: [], total: 0 }),
      strategies: async () => [],
    },
    setKillSwitch: async (_t, engaged, reason) => (ran.push(`kill ${engaged} ${reason}`), { ok: true, value: { changed: true } }),
    strategyControl: async (_t, strategyId, command) => (ran.push(`${command.type} ${strategyId} by ${command.by}`), { ok: true, value: { changed: true } }),
    equityCurve: async () => [], waitForProjection: async () => undefined, now: () => 0,
  };
  return { c, ran };
}
const viewer = { tenantId: 't1', userId: 'u_v', role: 'viewer' as const };
const trader = { tenantId: 't1', userId: 'u_t', role: 'trader' as const };
const noConfirm = () => 'c:x';

describe('Telegram commands (issue 19)', () => {
  it('a viewer reads but changes nothing, and is told which role it needs', async () => {
    const { c, ran } = control();
    for (const [command, args] of [['kill', []], ['resume', []], ['pause', ['s1']], ['resume', ['s1']]] as const) {
      const reply = await answerCommand(c, viewer, command, args, noConfirm);
      expect(reply.text).toBe(`Refused: your role is viewer; /${command} needs the trader role.`);
      expect(reply.buttons).toBeUndefined();
    }
    expect(await runConfirmed(c, viewer, { type: 'kill' })).toMatch(/^Refused/);
    expect(ran).toEqual([]);
    expect((await answerCommand(c, viewer, 'status', [], noConfirm)).text).toContain('Global kill switch: ENGAGED (loss limit)');
  });

  it('a trader\'s /kill asks first; the confirmed action and /pause go through the commands with who', async () => {
    const { c, ran } = control();
    const ask = await answerCommand(c, trader, 'kill', [], () => 'c:n1');
    expect(ask.buttons).toEqual([{ text: 'Yes, engage', data: 'c:n1' }, { text: 'Cancel', data: 'cancel' }]);
    expect(ran).toEqual([]);
    expect(await runConfirmed(c, trader, { type: 'kill' })).toBe('Global kill switch ENGAGED. /resume releases it.');
    expect((await answerCommand(c, trader, 'pause', ['s1'], noConfirm)).text).toBe('Strategy s1 paused.');
    expect(ran).toEqual(['kill true engaged from Telegram by user u_t', 'Pause s1 by u_t']);
  });

  it('answers positions, balances and PnL from the queries, and help for unknown commands', async () => {
    const { c } = control();
    expect((await answerCommand(c, viewer, 'positions', [], noConfirm)).text).toBe('a1 BTC/USDT: 0.5 @ 100, unrealised -2');
    expect((await answerCommand(c, viewer, 'balance', [], noConfirm)).text).toBe('a1 USDT: 1000');
    expect((await answerCommand(c, viewer, 'pnl', [], noConfirm)).text).toBe('Main (a1): PnL after fees +7 USDT (realised +9.5, unrealised -2, fees 0.5)');
    expect((await answerCommand(c, viewer, 'pnl', ['day'], noConfirm)).text).toBe('Main (a1): no equity snapshots over the last day yet');
    expect((await answerCommand(c, viewer, 'frobnicate', [], noConfirm)).text).toBe(`Unknown command /frobnicate.\n\n${HELP}`);
  });
});
