import type { KeyValueStore } from '../ports/key-value.js';
import type { Clock } from '../ports/clock.js';
import type { StrategyConfig } from '../../domain/strategies/strategy.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { parseSigning, UNREADABLE_SIGNING, type WebhookSigning } from '../ingest/alert-signature.js';
import { known, notFound } from './strategies.js';

/** Where a strategy's signing key for signed alerts lives in the key-value store (sealed there). */
export const webhookSigningKey = (strategyId: string): string => `webhook-signing/${strategyId}`;

export interface SigningDeps {
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly catalog: { strategy(strategyId: string): StrategyConfig | undefined };
  readonly catchUp: () => Promise<void>;
  /** 32 random bytes as 64 hex characters */
  readonly newSigningKey: () => string;
  /** the setting changed (undefined: removed): caches of it must follow */
  readonly onSigning: (strategyId: string, signing: WebhookSigning | undefined) => void;
}

/** What the API shows of a signing setting: never the key, except once when it is made. */
export interface SigningStatus {
  readonly configured: boolean;
  readonly required: boolean;
  readonly createdAt?: string;
}

const noKey = (): DomainError => ({ code: 'NO_SIGNING_KEY', message: 'this strategy has no signing key: create one first' });

async function ofTenant(deps: SigningDeps, tenantId: string, strategyId: string): Promise<boolean> {
  return (await known(deps, () => deps.catalog.strategy(strategyId)))?.tenantId === tenantId;
}

const statusOf = (signing: WebhookSigning | undefined): SigningStatus =>
  !signing ? { configured: false, required: false } : { configured: true, required: signing.required, ...(signing.createdAt ? { createdAt: signing.createdAt } : {}) };

/** The strategy's signing status (404 for another tenant's strategy). */
export async function signingStatus(deps: SigningDeps, tenantId: string, strategyId: string): Promise<Result<SigningStatus, DomainError>> {
  if (!(await ofTenant(deps, tenantId, strategyId))) return err(notFound());
  return ok(statusOf(parseSigning(await deps.kv.get(webhookSigningKey(strategyId)))));
}

/**
 * A new signing key (the old one, if any, stops working at once), returned here only. `required`
 * defaults to what was set before (false for a first key): rotating never turns the requirement off.
 */
export async function createSigningKey(deps: SigningDeps, tenantId: string, strategyId: string, required?: boolean): Promise<Result<WebhookSigning, DomainError>> {
  if (!(await ofTenant(deps, tenantId, strategyId))) return err(notFound());
  const before = parseSigning(await deps.kv.get(webhookSigningKey(strategyId)));
  const signing: WebhookSigning = { key: deps.newSigningKey(), required: required ?? (before !== undefined && before.required), createdAt: new Date(deps.clock.now()).toISOString() };
  await deps.kv.set(webhookSigningKey(strategyId), JSON.stringify(signing));
  deps.onSigning(strategyId, signing);
  return ok(signing);
}

/** Requires signed alerts, or stops requiring them (the key stays: signed alerts are still checked). */
export async function setSigningRequired(deps: SigningDeps, tenantId: string, strategyId: string, required: boolean): Promise<Result<SigningStatus, DomainError>> {
  if (!(await ofTenant(deps, tenantId, strategyId))) return err(notFound());
  const key = webhookSigningKey(strategyId);
  for (let attempt = 0; attempt < 10; attempt++) {
    const raw = await deps.kv.get(key);
    const signing = parseSigning(raw);
    if (raw === undefined || !signing) return err(noKey());
    if (signing === UNREADABLE_SIGNING) return err({ code: 'SIGNING_KEY_UNREADABLE', message: 'the signing key cannot be read on this server: create a new one' });
    const next: WebhookSigning = { ...signing, required };
    // compare-and-set on what was read: a rotation meanwhile is not undone
    if (await deps.kv.compareAndSet(key, raw, JSON.stringify(next))) {
      deps.onSigning(strategyId, next);
      return ok(statusOf(next));
    }
  }
  return err({ code: 'CONFLICT', message: 'the signing setting kept changing: try again' });
}

/** Removes the key: alerts are no longer signed (nor required to be). */
export async function removeSigningKey(deps: SigningDeps, tenantId: string, strategyId: string): Promise<Result<SigningStatus, DomainError>> {
  if (!(await ofTenant(deps, tenantId, strategyId))) return err(notFound());
  if (!(await deps.kv.delete(webhookSigningKey(strategyId)))) return err(noKey());
  deps.onSigning(strategyId, undefined);
  return ok(statusOf(undefined));
}

/** The setting of this tenant's strategy (to sign a test alert through the real ingest path; never answered). */
export async function signingOf(deps: SigningDeps, tenantId: string, strategyId: string): Promise<WebhookSigning | undefined> {
  if (!(await ofTenant(deps, tenantId, strategyId))) return undefined;
  return parseSigning(await deps.kv.get(webhookSigningKey(strategyId)));
}
