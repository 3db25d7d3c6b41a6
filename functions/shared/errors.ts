/**
 * The closed error taxonomy. Each class's `name` is what the Lambda runtime reports as the error type,
 * so the state machine's `Retry` and `Catch` fields match on these exact strings.
 *
 * Messages never carry personal data: they end up in execution histories. Provider texts that may echo
 * submitted values are kept on `providerMessage`, which is not serialised by the Lambda runtime.
 */

export const RETRYABLE_ERRORS = ['ProviderUnavailable', 'ProviderRateLimited', 'ProviderTimeout', 'ProviderNotReady'] as const;
export type RetryableErrorName = (typeof RETRYABLE_ERRORS)[number];
/** Errors no retry helps: the ASL catches them by these names and ends the step. */
export type TerminalErrorName =
  | 'ProviderRejected'
  | 'ProviderInvalidRequest'
  | 'ProviderAuthFailed'
  | 'ProviderConflict'
  | 'ConfigurationError'
  | 'OnboardingNotFound'
  | 'InvalidStateTransition';
export type OnboardingErrorName = RetryableErrorName | TerminalErrorName | 'ProviderPaced';

/** Base of every error the domain raises on purpose. */
export abstract class OnboardingError extends Error {
  abstract override readonly name: OnboardingErrorName;
  abstract readonly retryable: boolean;
}

export interface ProviderErrorDetails {
  provider: string;
  httpStatus?: number;
  code?: string;
  /** The provider's own text; may echo submitted values, so it is never logged or put in a message. */
  providerMessage?: string;
  requestId?: string;
  /** For a rate limit: seconds after which a new attempt may be admitted (HTTP `Retry-After`). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An error raised while talking to a provider; the message names provider, status and code only. */
export abstract class ProviderError extends OnboardingError {
  readonly provider: string;
  readonly httpStatus?: number;
  readonly code?: string;
  readonly providerMessage?: string;
  readonly requestId?: string;

  constructor(summary: string, details: ProviderErrorDetails) {
    const parts = [details.provider, summary];
    if (details.httpStatus !== undefined) parts.push(`HTTP ${details.httpStatus}`);
    if (details.code) parts.push(details.code);
    super(parts.join(': '), { cause: details.cause });
    this.provider = details.provider;
    this.httpStatus = details.httpStatus;
    this.code = details.code;
    this.providerMessage = details.providerMessage;
    this.requestId = details.requestId;
  }
}

/** 5xx, connection refused or reset: try again later. */
export class ProviderUnavailable extends ProviderError {
  override readonly name = 'ProviderUnavailable' as const;
  readonly retryable = true;
  constructor(details: ProviderErrorDetails) {
    super('provider unavailable', details);
  }
}

/** 429 or the provider's rate-limit code: try again after a pause. */
export class ProviderRateLimited extends ProviderError {
  override readonly name = 'ProviderRateLimited' as const;
  readonly retryable = true;
  readonly retryAfterSeconds?: number;
  constructor(details: ProviderErrorDetails) {
    super('rate limited', details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * Not a failure: the provider's shared rate budget reserved a later slot for this workflow step. The
 * message is exactly the slot as an ISO-8601 timestamp, which the state machine's Wait state reads
 * (`TimestampPath`) before it calls the step again. Nothing was sent to the provider.
 */
export class ProviderPaced extends OnboardingError {
  override readonly name = 'ProviderPaced' as const;
  readonly retryable = true;
  readonly provider: string;
  readonly slot: Date;
  constructor(provider: string, slot: number) {
    super(new Date(slot).toISOString());
    this.provider = provider;
    this.slot = new Date(slot);
  }
}

/** The provider has not caught up with a change it announced (a verified profile not yet usable): wait and retry. */
export class ProviderNotReady extends ProviderError {
  override readonly name = 'ProviderNotReady' as const;
  readonly retryable = true;
  constructor(details: ProviderErrorDetails) {
    super('not ready yet', details);
  }
}

/** No answer within the client's timeout; the request may or may not have been applied. */
export class ProviderTimeout extends ProviderError {
  override readonly name = 'ProviderTimeout' as const;
  readonly retryable = true;
  constructor(details: ProviderErrorDetails) {
    super('no answer in time', details);
  }
}

/** A business decision by the provider (KYC rejected, profile not allowed): ends the onboarding as REJECTED. */
export class ProviderRejected extends ProviderError {
  override readonly name = 'ProviderRejected' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('rejected', details);
  }
}

/** The provider refused the request as invalid: our data or our mapping is wrong, retrying cannot help. */
export class ProviderInvalidRequest extends ProviderError {
  override readonly name = 'ProviderInvalidRequest' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('invalid request', details);
  }
}

/** 401/403: the key is wrong, expired or lacks a scope. An operator must fix the secret. */
export class ProviderAuthFailed extends ProviderError {
  override readonly name = 'ProviderAuthFailed' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('authentication failed', details);
  }
}

/** The provider holds a conflicting record (idempotency conflict, duplicate that cannot be found again). */
export class ProviderConflict extends ProviderError {
  override readonly name = 'ProviderConflict' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('conflict', details);
  }
}

/** A missing environment variable, secret field or similar deployment fault. */
export class ConfigurationError extends OnboardingError {
  override readonly name = 'ConfigurationError' as const;
  readonly retryable = false;
  /** The setting at fault (an environment variable's name), safe to log: a name, never a value. */
  readonly setting?: string;
  constructor(message: string, options: { setting?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.setting = options.setting;
  }
}

/** The onboarding record named by a step's input does not exist. */
export class OnboardingNotFound extends OnboardingError {
  override readonly name = 'OnboardingNotFound' as const;
  readonly retryable = false;
  constructor(onboardingId: string) {
    super(`onboarding ${onboardingId} not found`);
  }
}

/** A status change that the record's current status does not allow. */
export class InvalidStateTransition extends OnboardingError {
  override readonly name = 'InvalidStateTransition' as const;
  readonly retryable = false;
  constructor(onboardingId: string, from: string, to: string) {
    super(`onboarding ${onboardingId} cannot move from ${from} to ${to}`);
  }
}
