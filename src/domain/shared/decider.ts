import type { DomainError, Result } from './result.js';

/**
 * An aggregate as a pure decider (Emmett / Chassaing style): state is a fold of its
 * events; a command is decided against the state into new events or a domain error.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Result<readonly Event[], DomainError>;
  readonly evolve: (state: State, event: Event) => State;
}

export function fold<Event, State>(decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/** For exhaustive switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}

/**
 * For exhaustive switches over a union read from the log: a missing case is a compile error, while
 * a value unknown at run time (written by a newer version) is ignored rather than thrown.
 */
export function ignoreUnknown(_value: never): void {}
