import type { PollPosition } from '../core/poll-window';
import type { SeenSet } from '../core/seen-set';

/** One CloudWatch Logs event, as FilterLogEvents returns it. */
export interface LogEvent {
  readonly eventId: string;
  /** Event timestamp, epoch ms. */
  readonly timestamp: number;
  readonly ingestionTime?: number;
  readonly logStreamName?: string;
  readonly message: string;
}

/** One FilterLogEvents request: a time range (inclusive, epoch ms) and an optional continuation. */
export interface PageRequest {
  readonly logGroup: string;
  readonly filterPattern: string;
  readonly start: number;
  readonly end: number;
  readonly nextToken?: string;
  /** Most events wanted in this page (1-10,000). */
  readonly limit: number;
}

/** One page; `nextToken` is absent when the range is exhausted. Pages may be empty with a token. */
export interface LogPage {
  readonly events: readonly LogEvent[];
  readonly nextToken?: string;
}

/** Reads flow-log events. Throws `LogSourceError` for failures the poller reports. */
export interface LogSource {
  fetchPage(request: PageRequest): Promise<LogPage>;
}

/** One queue message: `id` is unique within a publish call. */
export interface OutboundMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** FIFO queues: the message group (ENI or log group) and deduplication id (alert_id). */
  readonly groupId: string;
  readonly deduplicationId: string;
}

/** What happened to each message of a publish call. */
export interface PublishResult {
  readonly sent: readonly string[];
  readonly failed: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

/** Sends alerts to the queue; retries what it can and reports per message what still failed. */
export interface AlertPublisher {
  publish(messages: readonly OutboundMessage[]): Promise<PublishResult>;
}

/** The saved state of one log group. `revision` guards against two runs advancing it at once. */
export interface Checkpoint {
  readonly revision: number;
  readonly position: PollPosition;
  readonly seen: SeenSet;
}

/** Loads and conditionally saves checkpoints. */
export interface CheckpointStore {
  load(logGroup: string): Promise<Checkpoint | undefined>;
  /**
   * Saves `position` and `seen` as revision `expectedRevision + 1` (or 1 when there was none),
   * only if the stored revision is still `expectedRevision`. Returns false when another run won.
   */
  save(logGroup: string, expectedRevision: number | undefined, position: PollPosition, seen: SeenSet): Promise<boolean>;
}
