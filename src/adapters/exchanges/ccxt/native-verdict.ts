import { RejectCode } from './reject-codes.js';

/** Partial classification decided from the native code/message alone (the per-exchange code tables answer in these). */
export type NativeVerdict =
  | { readonly kind: 'rejected'; readonly code: RejectCode }
  | { readonly kind: 'duplicate' | 'not_found' | 'unknown' | 'rate_limited' | 'clock' | 'auth' };

/** The verdicts, spelled short for the code tables. */
export const v = {
  rejected: (code: RejectCode): NativeVerdict => ({ kind: 'rejected', code }),
  duplicate: { kind: 'duplicate' } as NativeVerdict,
  notFound: { kind: 'not_found' } as NativeVerdict,
  unknown: { kind: 'unknown' } as NativeVerdict,
  rateLimited: { kind: 'rate_limited' } as NativeVerdict,
  clock: { kind: 'clock' } as NativeVerdict,
  auth: { kind: 'auth' } as NativeVerdict,
};
