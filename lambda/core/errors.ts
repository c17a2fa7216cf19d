/**
 * Base class of every error this product raises on purpose. Subclasses carry the
 * underlying `cause` so a log line shows the whole chain.
 */
export class VpcFlowAlertsError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A flow-log `LogFormat` that cannot be compiled: an unknown or duplicate field, or no field at all.
 * `field` names the offending field when there is one.
 */
export class LogFormatError extends VpcFlowAlertsError {
  public constructor(
    message: string,
    public readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A setting (environment variable, CDK context, CLI flag) that is missing or invalid. */
export class ConfigError extends VpcFlowAlertsError {
  public constructor(
    message: string,
    public readonly settings: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why the log source could not be read; `kind` selects the remedy the poller reports. */
export type LogSourceFailure = 'not-found' | 'access-denied' | 'throttled' | 'invalid-token' | 'other';

/** A FilterLogEvents failure, classified. */
export class LogSourceError extends VpcFlowAlertsError {
  /** Throttling answers met before the failure (each one counts in the Throttles metric). */
  public readonly throttles: number;

  public constructor(
    message: string,
    public readonly kind: LogSourceFailure,
    options?: { cause?: unknown; throttles?: number },
  ) {
    super(message, options);
    this.throttles = options?.throttles ?? 0;
  }
}
