import { describe, expect, it } from 'vitest';
import type { EventOf } from '../events.js';
import { deciderSpec } from '../test-support/decider-spec.js';
import { signalDecider, type SignalCommand } from './signal-decider.js';

const spec = deciderSpec(signalDecider);
const SHA = 'ab'.repeat(32);

const header = {
  signalId: 'sig-1',
  strategyId: 'strat-1',
  idempotencyKey: 'Long-BTCUSDT-2024-05-01T12:00:00Z',
  receivedAt: '2024-05-01T12:00:00.100Z',
  bodySha256: SHA,
} as const;
const signal = { action: 'buy', ticker: 'BINANCE:BTCUSDT', symbol: 'BTC/USDT', quantity: '0.01' } as const;

const receive: SignalCommand = { type: 'Receive', ...header, format: 'patriot-json', signal };
const reject: SignalCommand = { type: 'RejectAlert', ...header, code: 'UNKNOWN_SYMBOL', message: 'Ticker "X" does not match' };
const orders = [{ accountId: 'acc-1', clientOrderId: '0123456789abcdef0123456789abcdef', outcome: 'approved' }] as const;
const skipped = [{ accountId: 'acc-2', code: 'AT_TARGET', message: 'already at target position' }] as const;
const markProcessed: SignalCommand = { type: 'MarkProcessed', orders, skipped };

const received: EventOf<'SignalReceived'> = { type: 'SignalReceived', data: { ...header, format: 'patriot-json', signal } };
const rejected: EventOf<'SignalRejected'> = {
  type: 'SignalRejected',
  data: { ...header, code: 'UNKNOWN_SYMBOL', message: 'Ticker "X" does not match' },
};
const processed: EventOf<'SignalProcessed'> = { type: 'SignalProcessed', data: { signalId: 'sig-1', orders, skipped } };

describe('signal decider', () => {
  describe('Receive', () => {
    it('on a new stream records SignalReceived', () => {
      spec.given([]).when(receive).then([received]);
    });
    it('event data carries no command type', () => {
      const [event] = spec.given([]).when(receive).then([received]);
      expect(event?.data).not.toHaveProperty('type');
    });
    it.each([
      ['received', [received]],
      ['rejected', [rejected]],
      ['processed', [received, processed]],
    ] as const)('on a %s stream is SIGNAL_EXISTS', (_name, given) => {
      spec.given(given).when(receive).thenError('SIGNAL_EXISTS', /sig-1/);
    });
    it.each([
      ['empty signalId', { signalId: '' }],
      ['empty strategyId', { strategyId: '' }],
      ['empty idempotency key', { idempotencyKey: '' }],
      ['empty receivedAt', { receivedAt: '' }],
      ['bad body hash', { bodySha256: 'xyz' }],
      ['upper-case body hash', { bodySha256: SHA.toUpperCase() }],
    ])('refuses %s as INVALID_COMMAND', (_name, patch) => {
      spec.given([]).when({ ...receive, ...patch } as SignalCommand).thenError('INVALID_COMMAND');
    });
    it('leaves the stream in the received state', () => {
      spec.given([]).when(receive).thenState((s) => expect(s).toEqual({ status: 'received', signalId: 'sig-1', strategyId: 'strat-1' }));
    });
  });

  describe('RejectAlert', () => {
    it('on a new stream records SignalRejected', () => {
      spec.given([]).when(reject).then([rejected]);
    });
    it.each([
      ['received', [received]],
      ['rejected', [rejected]],
      ['processed', [received, processed]],
    ] as const)('on a %s stream is SIGNAL_EXISTS', (_name, given) => {
      spec.given(given).when(reject).thenError('SIGNAL_EXISTS');
    });
    it('refuses an empty rejection code', () => {
      spec.given([]).when({ ...reject, code: '' } as SignalCommand).thenError('INVALID_COMMAND');
    });
  });

  describe('MarkProcessed', () => {
    it('after SignalReceived records SignalProcessed with the stream signal id', () => {
      spec.given([received]).when(markProcessed).then([processed]);
    });
    it('accepts a signal that produced nothing', () => {
      spec
        .given([received])
        .when({ type: 'MarkProcessed', orders: [], skipped: [] })
        .then([{ type: 'SignalProcessed', data: { signalId: 'sig-1', orders: [], skipped: [] } }]);
    });
    it('on a new stream is SIGNAL_NOT_RECEIVED', () => {
      spec.given([]).when(markProcessed).thenError('SIGNAL_NOT_RECEIVED');
    });
    it('after a rejection is SIGNAL_NOT_RECEIVED, naming the rejection', () => {
      spec.given([rejected]).when(markProcessed).thenError('SIGNAL_NOT_RECEIVED', /UNKNOWN_SYMBOL/);
    });
    it('twice is SIGNAL_ALREADY_PROCESSED', () => {
      spec.given([received, processed]).when(markProcessed).thenError('SIGNAL_ALREADY_PROCESSED');
    });
    it('leaves the stream processed', () => {
      spec.given([received]).when(markProcessed).thenState((s) => expect(s.status).toBe('processed'));
    });
  });

  describe('RecordRepeat', () => {
    const repeat: SignalCommand = { type: 'RecordRepeat', receivedAt: '2024-05-01T12:00:03.000Z', bodySha256: SHA };
    const repeated: EventOf<'AlertRepeated'> = { type: 'AlertRepeated', data: { signalId: 'sig-1', receivedAt: '2024-05-01T12:00:03.000Z', bodySha256: SHA } };
    it.each([
      ['received', [received]],
      ['rejected', [rejected]],
      ['processed', [received, processed]],
      ['already repeated', [received, repeated]],
    ] as const)('on a %s stream records AlertRepeated with the stream signal id', (_name, given) => {
      spec.given(given).when(repeat).then([repeated]);
    });
    it('on a new stream is SIGNAL_NOT_RECEIVED', () => {
      spec.given([]).when(repeat).thenError('SIGNAL_NOT_RECEIVED');
    });
    it('refuses a bad body hash as INVALID_COMMAND', () => {
      spec.given([received]).when({ ...repeat, bodySha256: 'nope' } as SignalCommand).thenError('INVALID_COMMAND');
    });
    it('changes nothing else: a repeated signal is still processed once', () => {
      spec.given([received, repeated]).when(markProcessed).then([processed]);
      spec.given([received, processed, repeated]).when(markProcessed).thenError('SIGNAL_ALREADY_PROCESSED');
    });
  });

  it('starts new', () => {
    expect(signalDecider.initialState()).toEqual({ status: 'new' });
  });
});
