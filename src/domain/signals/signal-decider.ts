/**
 * The `signal-<signalId>` stream as a pure decider:
 *   new --Receive--> received --MarkProcessed--> processed
 *   new --RejectAlert--> rejected (final: an audit record of an authenticated alert we refused)
 *   any but new --RecordRepeat--> the same state (the alert came again and was answered as the original)
 */
import type { EventOf } from '../events.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

export type SignalEvent = EventOf<'SignalReceived'> | EventOf<'SignalRejected'> | EventOf<'SignalProcessed'> | EventOf<'AlertRepeated'>;

/** Commands are flat: the `type` plus the fields of the event they lead to. */
export type SignalCommand =
  | ({ readonly type: 'Receive' } & EventOf<'SignalReceived'>['data'])
  | ({ readonly type: 'RejectAlert' } & EventOf<'SignalRejected'>['data'])
  | ({ readonly type: 'MarkProcessed' } & Pick<EventOf<'SignalProcessed'>['data'], 'orders' | 'skipped'>)
  | ({ readonly type: 'RecordRepeat' } & Pick<EventOf<'AlertRepeated'>['data'], 'receivedAt' | 'bodySha256'>);

export type SignalState =
  | { readonly status: 'new' }
  | { readonly status: 'received'; readonly signalId: string; readonly strategyId: string }
  | { readonly status: 'rejected'; readonly signalId: string; readonly code: string }
  | { readonly status: 'processed'; readonly signalId: string };

const HEX_SHA256 = /^[0-9a-f]{64}$/;

function validateHeader(data: {
  readonly signalId: string;
  readonly strategyId: string;
  readonly idempotencyKey: string;
  readonly receivedAt: string;
  readonly bodySha256: string;
}): DomainError | undefined {
  if (data.signalId.length === 0) return { code: 'INVALID_COMMAND', message: 'signalId is empty' };
  if (data.strategyId.length === 0) return { code: 'INVALID_COMMAND', message: 'strategyId is empty' };
  if (data.idempotencyKey.length === 0) return { code: 'INVALID_COMMAND', message: 'idempotencyKey is empty' };
  if (data.receivedAt.length === 0) return { code: 'INVALID_COMMAND', message: 'receivedAt is empty' };
  if (!HEX_SHA256.test(data.bodySha256)) return { code: 'INVALID_COMMAND', message: 'bodySha256 must be 64 lowercase hex characters' };
  return undefined;
}

function decide(command: SignalCommand, state: SignalState): Result<readonly SignalEvent[], DomainError> {
  switch (command.type) {
    case 'Receive': {
      if (state.status !== 'new') return err(exists(state.signalId, state.status));
      const { type: _type, ...data } = command;
      const invalid = validateHeader(data);
      if (invalid !== undefined) return err(invalid);
      return ok([{ type: 'SignalReceived', data }]);
    }
    case 'RejectAlert': {
      if (state.status !== 'new') return err(exists(state.signalId, state.status));
      const { type: _type, ...data } = command;
      const invalid = validateHeader(data);
      if (invalid !== undefined) return err(invalid);
      if (data.code.length === 0) return err({ code: 'INVALID_COMMAND', message: 'rejection code is empty' });
      return ok([{ type: 'SignalRejected', data }]);
    }
    case 'MarkProcessed': {
      switch (state.status) {
        case 'new':
          return err({ code: 'SIGNAL_NOT_RECEIVED', message: 'Signal was never received.' });
        case 'rejected':
          return err({ code: 'SIGNAL_NOT_RECEIVED', message: `Signal ${state.signalId} was rejected (${state.code}); there is nothing to process.` });
        case 'processed':
          return err({ code: 'SIGNAL_ALREADY_PROCESSED', message: `Signal ${state.signalId} was already processed.` });
        case 'received':
          return ok([
            {
              type: 'SignalProcessed',
              data: { signalId: state.signalId, orders: command.orders, skipped: command.skipped },
            },
          ]);
        default:
          return assertNever(state);
      }
    }
    case 'RecordRepeat': {
      if (state.status === 'new') return err({ code: 'SIGNAL_NOT_RECEIVED', message: 'a repeat of an alert that was never received' });
      if (!HEX_SHA256.test(command.bodySha256)) return err({ code: 'INVALID_COMMAND', message: 'bodySha256 must be 64 lowercase hex characters' });
      if (command.receivedAt.length === 0) return err({ code: 'INVALID_COMMAND', message: 'receivedAt is empty' });
      return ok([{ type: 'AlertRepeated', data: { signalId: state.signalId, receivedAt: command.receivedAt, bodySha256: command.bodySha256 } }]);
    }
    default:
      return assertNever(command);
  }
}

function exists(signalId: string, status: string): DomainError {
  return { code: 'SIGNAL_EXISTS', message: `Signal ${signalId} already exists (${status}).` };
}

function evolve(state: SignalState, event: SignalEvent): SignalState {
  switch (event.type) {
    case 'SignalReceived':
      return { status: 'received', signalId: event.data.signalId, strategyId: event.data.strategyId };
    case 'SignalRejected':
      return { status: 'rejected', signalId: event.data.signalId, code: event.data.code };
    case 'SignalProcessed':
      return { status: 'processed', signalId: event.data.signalId };
    case 'AlertRepeated':
      return state;
    default:
      return assertNever(event);
  }
}

export const signalDecider: Decider<SignalCommand, SignalEvent, SignalState> = {
  initialState: () => ({ status: 'new' }),
  decide,
  evolve,
};
