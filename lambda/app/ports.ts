import type { PollPosition } from '../core/poll-window';
import type { DetectorState } from '../core/finding-state';
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
  /** Throttling answers met (and waited out) while reading this page. */
  readonly throttles: number;
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

/** A message the queue did not take. */
export interface PublishFailure {
  readonly id: string;
  readonly reason: string;
  /**
   * True when the queue refused the message itself (`SenderFault`: invalid contents, too long): it
   * fails the same way every time, so it must not be retried as it is. False for transient faults
   * (throttling, 5xx, network), which are worth retrying later.
   */
  readonly permanent: boolean;
}

/** What happened to each message of a publish call. */
export interface PublishResult {
  readonly sent: readonly string[];
  readonly failed: readonly PublishFailure[];
}

/** Sends messages to a queue; retries what it can and reports per message what still failed. */
export interface AlertPublisher {
  publish(messages: readonly OutboundMessage[]): Promise<PublishResult>;
}

/** The saved state of one log group. `revision` guards against two runs advancing it at once. */
export interface Checkpoint {
  readonly revision: number;
  readonly position: PollPosition;
  readonly seen: SeenSet;
}

/** Loads and conditionally saves checkpoints, and hands out one lease per log group. */
export interface CheckpointStore {
  /**
   * Takes the group's lease for `owner` until `untilMs` (epoch ms) unless another owner holds one
   * that is still live at `nowMs`. Returns false when another run holds it. While held, `save`
   * writes only if the lease is still this owner's.
   */
  acquireLease(logGroup: string, owner: string, untilMs: number, nowMs: number): Promise<boolean>;
  /** Gives the lease back (best effort: an unreleased lease expires by itself). */
  releaseLease(logGroup: string, owner: string): Promise<void>;
  load(logGroup: string): Promise<Checkpoint | undefined>;
  /**
   * Saves `position` and `seen` as revision `expectedRevision + 1` (or 1 when there was none),
   * only if the stored revision is still `expectedRevision`. Returns false when another run won.
   */
  save(logGroup: string, expectedRevision: number | undefined, position: PollPosition, seen: SeenSet): Promise<boolean>;
}


/** A stored detector state and its revision (the condition of the next save). */
export interface StoredFindingState {
  readonly revision: number;
  readonly state: DetectorState;
  /** Set when the stored item could not be read and an empty state stands in for it. */
  readonly discarded?: string;
}

/**
 * Keeps the detectors' state, one item per log group and shard. Saves are conditional, so
 * concurrent writers (push mode) never overwrite each other: the loser reloads and merges again.
 */
export interface FindingStateStore {
  load(logGroup: string, shard: number): Promise<StoredFindingState | undefined>;
  /**
   * Saves `state` as revision `expectedRevision + 1` (1 when there was none) if the stored revision
   * is still `expectedRevision`; false when another writer won. The store shrinks a state too big
   * for one item (see enforceLimit) before it writes.
   */
  save(logGroup: string, shard: number, expectedRevision: number | undefined, state: DetectorState): Promise<boolean>;
  /**
   * The groups that have stored state (each registered when its first item is written): the closer
   * also closes groups no longer configured (a removed log group, a changed prefix), so the flows
   * they hold still reach a finding.
   */
  groups(): Promise<readonly string[]>;
  /** Lists `logGroup` among the groups (a group whose state predates the list, or whose listing failed). */
  remember(logGroup: string): Promise<void>;
  /** Drops `logGroup` from the groups, once none of its items is left. */
  forget(logGroup: string): Promise<void>;
}

/** Reads objects from S3 (or the local emulator). Throws for transient faults (the message is retried). */
export interface ObjectStore {
  /** The object's size in bytes, and when it was written (epoch ms). */
  head(bucket: string, key: string): Promise<{ readonly size: number; readonly lastModified: number }>;
  /** The whole object as a stream of chunks, for reading front to back without holding it. */
  stream(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Bytes `start` to `end` (exclusive): Parquet is read by its footer and row groups. */
  range(bucket: string, key: string, start: number, end: number): Promise<Uint8Array>;
  /** One page of the keys under `prefix`, in key order; `next` continues the listing. */
  list(bucket: string, prefix: string, next?: string): Promise<{ readonly keys: readonly string[]; readonly next?: string }>;
}
