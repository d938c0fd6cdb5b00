/**
 * Given/when/then for pure deciders, for Vitest specs:
 *
 *   const spec = deciderSpec(signalDecider);
 *   spec.given([received]).when(markProcessed).then([processed]);
 *   spec.given([]).when(markProcessed).thenError('SIGNAL_NOT_RECEIVED');
 *   spec.given([received]).when(markProcessed).thenState((s) => expect(s.status).toBe('processed'));
 *
 * `then` also folds the new events onto the state, so an evolve that throws on them fails the test.
 */
import { expect } from 'vitest';
import { fold, type Decider } from '../shared/decider.js';
import type { DomainError, Result } from '../shared/result.js';

export interface DeciderThen<Event, State> {
  /** the raw decision, for assertions the helpers do not cover */
  readonly result: Result<readonly Event[], DomainError>;
  /** asserts success with exactly these events (deep equality, in order); returns them */
  then(expected: readonly Event[]): readonly Event[];
  /** asserts failure with this code (and, if given, a message matching `message`); returns the error */
  thenError(code: string, message?: string | RegExp): DomainError;
  /** asserts success and hands the state after the new events to `check` */
  thenState(check: (state: State) => void): State;
}

export interface DeciderWhen<Command, Event, State> {
  when(command: Command): DeciderThen<Event, State>;
}

export interface DeciderSpec<Command, Event, State> {
  given(events: readonly Event[]): DeciderWhen<Command, Event, State>;
}

export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>): DeciderSpec<Command, Event, State> {
  return {
    given(events) {
      return {
        when(command) {
          const state = fold(decider, events);
          const result = decider.decide(command, state);
          const success = (): readonly Event[] => {
            if (!result.ok) {
              expect.fail(`expected events, got error ${result.error.code}: ${result.error.message}`);
            }
            return result.value;
          };
          return {
            result,
            then(expected) {
              const produced = success();
              expect(produced).toEqual(expected);
              produced.reduce(decider.evolve, state);
              return produced;
            },
            thenError(code, message) {
              if (result.ok) {
                expect.fail(`expected error ${code}, got events ${JSON.stringify(result.value)}`);
              }
              expect(result.error.code).toBe(code);
              if (message !== undefined) expect(result.error.message).toMatch(message);
              return result.error;
            },
            thenState(check) {
              const after = success().reduce(decider.evolve, state);
              check(after);
              return after;
            },
          };
        },
      };
    },
  };
}
