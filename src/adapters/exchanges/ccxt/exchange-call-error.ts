import type { ErrorClassification } from './error-classification.js';

/** A look-up or other call failed or was inconclusive; `classification` says how. The message is credential-free. */
export class ExchangeCallError extends Error {
  constructor(
    readonly classification: ErrorClassification | { readonly kind: 'local'; readonly reason: string },
  ) {
    super(classification.reason);
    this.name = 'ExchangeCallError';
  }
}
