import { api, errorText } from './api.js';
import { confirmAction } from './dialog.js';
import { h, toast } from './dom.js';
import { loadMarkets, shownQuantity } from './markets.js';

interface Holders { quantity: string; strategies: { strategyId: string; quantity: string }[] }

const positionPath = (accountId: string, symbol: string) => `/accounts/${encodeURIComponent(accountId)}/positions/${encodeURIComponent(symbol)}`;

/**
 * A "Close" button for one open position: asks first (naming each strategy's share, which is
 * closed with a reduce-only order of its own through the same checks as an alert's close), then
 * records the close. True when a close was recorded.
 */
export function closePositionButton(p: { accountId: string; symbol: string }, accountName: string, strategyName: (id: string) => string, done: () => void): HTMLButtonElement {
  return h('button', {
    type: 'button', class: 'small', 'aria-label': `Close the ${p.symbol} position of ${accountName}`,
    onclick: async () => {
      if (await closePosition(p, accountName, strategyName)) done();
    },
  }, 'Close');
}

async function closePosition(p: { accountId: string; symbol: string }, accountName: string, strategyName: (id: string) => string): Promise<boolean> {
  let holders: Holders;
  try {
    holders = await api<Holders>(`${positionPath(p.accountId, p.symbol)}/strategies`);
  } catch (error) {
    toast(`The position could not be read: ${errorText(error)}`);
    return false;
  }
  await loadMarkets([p]);
  const shares = holders.strategies.map((s) => `${strategyName(s.strategyId)}: ${shownQuantity(p, s.quantity)}`).join(', ');
  const confirmed = await confirmAction(
    `Close ${p.symbol} on ${accountName}?`,
    `Each strategy's share is closed at market with its own order (reduce-only on futures), checked like an alert's close: ${shares || 'no strategy holds a share'}.`,
    'Close position',
  );
  if (!confirmed) return false;
  try {
    const answer = await api<{ signals: { signalId: string }[] }>(`${positionPath(p.accountId, p.symbol)}/close`, { method: 'POST', body: {} });
    toast(`Close recorded (${answer.signals.length} order${answer.signals.length === 1 ? '' : 's'}): see the signal log`);
    return true;
  } catch (error) {
    toast(`Nothing was closed: ${errorText(error)}`);
    return false;
  }
}
