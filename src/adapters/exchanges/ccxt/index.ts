/** The ccxt execution adapter: `CcxtExchangeGateway` and its parts. */
export { CcxtExchangeGateway, ExchangeCallError, type CcxtAccount, type CcxtGatewayOptions, type CredentialSource, type Credentials } from './ccxt-gateway.js';
export { CircuitBreaker, CircuitBreakers, type BreakerOutcome, type BreakerPermit, type BreakerSnapshot, type BreakerState, type BreakerStateChange, type CircuitBreakerOptions } from './circuit-breaker.js';
export { classifyCcxtError, exchangeFamily, nativeErrorDetails, retryAfterMs, type ClassifyContext, type ErrorClassification, type ErrorKind } from './error-classification.js';
export type { MarketType } from './exchange-profiles.js';
export { OrderMonitor, backoffDelay, type BackoffOptions, type MonitorSource, type MonitorState, type OrderMonitorOptions } from './order-monitor.js';
export { PrecisionMode, toCcxtNumber, validateOrder, type OrderToValidate, type ValidationOptions, type ValidationResult } from './order-validation.js';
export { KeyedRateLimiter, RateLimitWaitTooLong, RateLimiterDisposed, bucketFromCcxtRateLimit, type AcquireOptions, type BucketConfig, type RateLimiterOptions } from './rate-limiter.js';
export { redactSecrets } from './redact.js';
export { RejectCode } from './reject-codes.js';
export { systemScheduler, type Scheduler, type TimerHandle } from './scheduler.js';
