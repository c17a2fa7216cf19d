import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent, LogPage, LogSource, PageRequest } from '../app/ports';
import type { LogSourceFailure } from '../core/errors';
import { LogSourceError } from '../core/errors';
import type { RateLimiter } from './rate-limiter';
import type { Sleep } from './retry';
import { backoffDelay, realSleep } from './retry';

/** Settings of the CloudWatch Logs reader. */
export interface CloudWatchLogSourceOptions {
  /** Shared pacing for every FilterLogEvents call of the account and Region. */
  readonly limiter: RateLimiter;
  /** Attempts on throttling and transient faults before giving up for this run. @default 6 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

/**
 * Reads flow-log events with FilterLogEvents, one page a call, paced by a shared limiter and
 * backing off with jitter on throttling and transient faults. This is the only retry layer (build
 * the client with `maxAttempts: 1`), so every attempt passes the limiter and every throttle is
 * counted in the page (or the error). Failures are classified into `LogSourceError` kinds so the
 * poller can name the cause and the fix.
 */
export class CloudWatchLogSource implements LogSource {
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  public constructor(private readonly client: CloudWatchLogsClient, private readonly options: CloudWatchLogSourceOptions) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.sleep = options.sleep ?? realSleep;
  }

  public async fetchPage(request: PageRequest): Promise<LogPage> {
    const command = new FilterLogEventsCommand({
      logGroupName: request.logGroup,
      startTime: request.start,
      endTime: request.end,
      limit: request.limit,
      ...(request.filterPattern !== '' && { filterPattern: request.filterPattern }),
      ...(request.nextToken !== undefined && { nextToken: request.nextToken }),
    });
    let throttles = 0;
    for (let attempt = 0; ; attempt++) {
      await this.options.limiter.acquire();
      try {
        const output = await this.client.send(command);
        const events: LogEvent[] = [];
        for (const event of output.events ?? []) {
          const mapped = toLogEvent(event);
          if (mapped !== undefined) events.push(mapped);
        }
        return output.nextToken === undefined ? { events, throttles } : { events, nextToken: output.nextToken, throttles };
      } catch (error) {
        const kind = classify(error, request.nextToken !== undefined);
        if (kind === 'throttled') throttles++;
        if ((kind === 'throttled' || (kind === 'other' && isTransient(error))) && attempt + 1 < this.maxAttempts) {
          await this.sleep(backoffDelay(attempt + 1, 200, 5000));
          continue;
        }
        throw new LogSourceError(describe(kind, request.logGroup, error), kind, { cause: error, throttles });
      }
    }
  }
}

function toLogEvent(event: FilteredLogEvent): LogEvent | undefined {
  if (event.eventId === undefined || event.timestamp === undefined || event.message === undefined) return undefined;
  return {
    eventId: event.eventId,
    timestamp: event.timestamp,
    message: event.message,
    ...(event.ingestionTime !== undefined && { ingestionTime: event.ingestionTime }),
    ...(event.logStreamName !== undefined && { logStreamName: event.logStreamName }),
  };
}

/** A 5xx answer or a network fault: worth another attempt in the same run. */
function isTransient(error: unknown): boolean {
  const e = error as { $fault?: unknown; $metadata?: { httpStatusCode?: number }; name?: unknown; code?: unknown };
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return ['TimeoutError', 'RequestTimeout', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(String(e.name ?? e.code));
}

function classify(error: unknown, hadToken: boolean): LogSourceFailure {
  const name = (error as { name?: unknown }).name;
  switch (name) {
    case 'ResourceNotFoundException':
      return 'not-found';
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return 'access-denied';
    case 'ThrottlingException':
    case 'LimitExceededException':
      return 'throttled';
    case 'InvalidParameterException':
      return hadToken ? 'invalid-token' : 'other';
    default:
      return 'other';
  }
}

function describe(kind: LogSourceFailure, logGroup: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  switch (kind) {
    case 'not-found':
      return `log group ${logGroup} does not exist: check the LOG_GROUPS setting and that the flow log publishes to this group in this account and Region`;
    case 'access-denied':
      return `access to ${logGroup} denied: the function's role needs logs:FilterLogEvents on this log group (redeploy the stack after changing the log groups) (${detail})`;
    case 'throttled':
      return `FilterLogEvents on ${logGroup} still throttled after retries: other callers share the 5 requests/second account quota; lower FILTER_REQUESTS_PER_SECOND or move to push mode (${detail})`;
    case 'invalid-token':
      return `the continuation token for ${logGroup} was rejected (${detail})`;
    default:
      return `FilterLogEvents on ${logGroup} failed: ${detail}`;
  }
}
