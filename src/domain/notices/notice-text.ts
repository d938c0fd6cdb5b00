import type { Notice } from './notice.js';

/**
 * A notice in words, one line (issue 19: chat channels). Built only from the event's data, which
 * never holds a secret; texts that came from outside (an alert's refusal quotes its fields) are
 * cut short. Chat markup is the sink's business (chat-sink.ts escapes it and turns mentions off).
 */
export function noticeText(notice: Notice): string {
  const d = notice.data;
  const s = (key: string): string => {
    const v = d[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };
  const account = s('accountId') ? ` on ${s('accountId')}` : '';
  switch (notice.type) {
    case 'OrderFilled':
      return `${d.complete === false ? 'Partial fill' : 'Filled'}: ${s('side').toUpperCase()} ${s('quantity')} ${s('symbol')} @ ${s('price')}${account} (fee ${s('fee')} ${s('feeCurrency')}, order ${s('clientOrderId')})`;
    case 'OrderRejected': {
      const reasons = Array.isArray(d.reasons) ? d.reasons.map((r) => (r && typeof r === 'object' && 'code' in r ? String((r as { code: unknown }).code) : '')).filter(Boolean) : [];
      return `Order refused by risk: ${s('side').toUpperCase()} ${s('quantity')} ${s('symbol')}${account} (${reasons.join(', ') || 'no reason given'})`;
    }
    case 'OrderExchangeRejected':
      return `Order refused by the exchange${account}: ${short(s('reason')) || s('code')} (order ${s('clientOrderId')})`;
    case 'OrderStatusUnknown':
      return `Order state unknown${account}: ${short(s('reason'))} (order ${s('clientOrderId')}; PATRIOT looks it up, nothing is sent again)`;
    case 'OrderExpired':
      return `Order expired${account} (order ${s('clientOrderId')})`;
    case 'OrderCancelled':
      return `Order cancelled${account}: ${short(s('reason'))} (order ${s('clientOrderId')})`;
    case 'SignalRejected':
      return `Alert refused for strategy ${s('strategyId')}: ${s('code')} — ${short(s('message'))}`;
    case 'KillSwitchEngaged':
      return `Kill switch ENGAGED${account}: ${short(s('reason'))}`;
    case 'KillSwitchReleased':
      return `Kill switch released${account}`;
    case 'GlobalKillSwitchEngaged':
      return `Global kill switch ENGAGED: ${short(s('reason'))}`;
    case 'GlobalKillSwitchReleased':
      return 'Global kill switch released';
    case 'AccountReconciled': {
      const differences = Array.isArray(d.differences) ? d.differences.length : 0;
      return `Reconciliation${account} (${s('trigger')}): ${differences} difference${differences === 1 ? '' : 's'} with the exchange`;
    }
    case 'ExchangeCircuitChanged':
      return d.state === 'open'
        ? `Exchange ${s('exchange')} not answering${account}: circuit breaker OPEN, new orders are refused at once${s('retryAt') ? ` (tried again at ${s('retryAt')})` : ''}`
        : `Exchange ${s('exchange')} answering again${account}: circuit breaker closed`;
    case 'AccountPricesChanged': {
      const symbols = Array.isArray(d.symbols) ? d.symbols.map(String).slice(0, 10).join(', ') : '';
      return d.state === 'stale'
        ? `Prices STALE${account} (${s('exchange')}): ${symbols}${s('oldestAgeMs') ? `, the oldest ${Math.round(Number(s('oldestAgeMs')) / 1000)} s old` : ''}; nothing is decided on them until they are fresh`
        : `Prices fresh again${account} (${s('exchange')})`;
    }
    case 'AccountOwnerChanged':
      return `Node ${s('nodeId')} took over account ${s('accountId')}${s('previousNodeId') ? ` from node ${s('previousNodeId')}` : ''}`;
    case 'Digest':
    case 'DailySummary':
      return s('text');
    default:
      return notice.kind === 'test' ? `PATRIOT test message: ${short(s('message'))}` : `${notice.type}${account}`;
  }
}

/** Text from outside (a refusal's message, a reason) kept short. */
function short(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
