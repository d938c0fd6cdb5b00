/** Success or a typed failure; domain code returns these instead of throwing for expected outcomes. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });

/** A domain failure with a stable machine-readable code. */
export interface DomainError {
  readonly code: string;
  readonly message: string;
}
