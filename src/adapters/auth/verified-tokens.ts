/**
 * Access tokens whose signature, algorithm, issuer, audience and required claims were verified,
 * by their exact text (issue 18, REST reads: verifying an HS256 token cost ~10 % of a read).
 *
 * Only what never changes for a given text is remembered: a text that verified once verifies again
 * with the same key. What depends on the time is checked at every use: a remembered token whose
 * `exp` has come (or whose `nbf` is still ahead) is forgotten and verified again in full, so it is
 * refused exactly as before. What depends on the user (disabled, revoked sessions) is checked by
 * the caller at every use, as before. Failures are never remembered, so unknown texts cost memory
 * only once they verified (i.e. were issued with our key). Bounded: the oldest go first.
 */
export class VerifiedTokens {
  private readonly byText = new Map<string, Readonly<Record<string, unknown>>>();

  constructor(private readonly max = 10_000) {}

  /** The payload of a token verified before, while `nowSeconds` is inside its time window. */
  get(token: string, nowSeconds: number): Readonly<Record<string, unknown>> | undefined {
    const payload = this.byText.get(token);
    if (payload === undefined) return undefined;
    const { exp, nbf } = payload;
    // the same bounds as jose's checks (no clock tolerance): exp <= now is expired, nbf > now is not yet valid
    if (typeof exp !== 'number' || exp <= nowSeconds || (typeof nbf === 'number' && nbf > nowSeconds)) {
      this.byText.delete(token);
      return undefined;
    }
    return payload;
  }

  keep(token: string, payload: Readonly<Record<string, unknown>>): void {
    if (this.max <= 0) return;
    this.byText.delete(token);
    this.byText.set(token, Object.freeze({ ...payload }));
    if (this.byText.size > this.max) this.byText.delete(this.byText.keys().next().value as string);
  }

  /** How many are remembered (for tests). */
  get size(): number {
    return this.byText.size;
  }
}
