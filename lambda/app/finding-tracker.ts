import type { Admission } from '../core/admit-flow';
import { admitFlow } from '../core/admit-flow';
import { hashText } from '../core/bottom-k';
import type { Alert } from '../core/alert';
import type { FindingSettings } from '../core/finding';
import type { DetectorState } from '../core/finding-state';
import { enforceLimit } from '../core/finding-limits';
import { dropClosed, emptyState, mergeState } from '../core/finding-state';
import type { FindingStateStore, LogEvent } from './ports';
import { backoffDelay, realSleep } from '../adapters/retry';

/** Conditional saves tried before a writer gives up (each loss reloads, merges and waits a little). */
const MAX_SAVE_ATTEMPTS = 10;

/**
 * Push mode keeps each group's state in this many items, by log stream, so concurrent deliveries
 * rarely write the same one (and each item's write rate stays far below DynamoDB's per-item
 * limit); the closer merges them.
 */
export const PUSH_SHARDS = 16;

/** Longest a Lambda invocation can run (15 minutes), and a minute of clock margin. */
const LONGEST_INVOCATION_MS = 16 * 60_000;

/**
 * Push mode's timing. Deliveries add a flow to its window only until `lookbackMs` after the
 * window ends (later, the flow is late and sent on its own). The closer makes a window's findings
 * only once every delivery that could still add to it has finished: `lookbackMs` plus the longest
 * invocation after its end.
 */
export function pushTiming(lookbackMs: number, nowMs: number): { readonly openAfter: number; readonly closeUpTo: number } {
  return { openAfter: nowMs - lookbackMs, closeUpTo: nowMs - lookbackMs - LONGEST_INVOCATION_MS };
}

/** The state shard of a log stream's deliveries. */
export function shardOf(logStream: string): number {
  return hashText(logStream) % PUSH_SHARDS;
}

/** What the detectors did with the flows of one run or delivery. */
export interface AdmissionCounts {
  /** Flows counted in findings and not sent on their own (`findings` mode). */
  held: number;
  /** Flows of allowlisted sources, not sent (`findings` mode). */
  allowlisted: number;
  /** Accepted and no-data records below `high`, only counted (`findings` mode). */
  counted: number;
  /** Rejected flows whose window's findings were already out: sent as flow alerts. */
  late: number;
}

/** No admissions yet. */
export function emptyAdmissions(): AdmissionCounts {
  return { held: 0, allowlisted: 0, counted: 0, late: 0 };
}

/**
 * The detector state of one log group and shard while a run or delivery uses it: admits flows
 * (recording the rejected ones), and saves the state with a condition, merging with whatever another
 * writer saved meanwhile (the state merges in any order to the same result).
 */
export class FindingTracker {
  public readonly counts = emptyAdmissions();
  /** Set when the stored state could not be read and the tracker started afresh. */
  public discarded: string | undefined;
  private revision: number | undefined;
  /** Whether the state may differ from the stored one: an unchanged state is not written again. */
  private dirty = false;

  private constructor(
    /** Absent for a run that keeps its state in memory only (the commands, which close every window at the end). */
    private readonly store: FindingStateStore | undefined,
    private readonly logGroup: string,
    private readonly shard: number,
    private readonly settings: FindingSettings,
    public state: DetectorState,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {}

  /** Marks the state changed by someone other than the admitter (windows closed). */
  public touch(): void {
    this.dirty = true;
  }

  /** A tracker whose state lives in memory only: the `normalize` and `replay` commands. */
  public static inMemory(logGroup: string, settings: FindingSettings): FindingTracker {
    return new FindingTracker(undefined, logGroup, 0, settings, emptyState());
  }

  /**
   * Loads the state of `logGroup`/`shard`, or starts an empty one. `closedAtLeast` (epoch ms): the
   * windows ending by then are closed whatever the stored state says (poll mode: the checkpoint's
   * watermark less the lookback, so a lost state item never reopens them).
   */
  public static async open(store: FindingStateStore, logGroup: string, shard: number, settings: FindingSettings, closedAtLeast = 0, sleep?: (ms: number) => Promise<void>): Promise<FindingTracker> {
    const stored = await store.load(logGroup, shard);
    const tracker = new FindingTracker(store, logGroup, shard, settings, stored?.state ?? emptyState(), sleep);
    tracker.revision = stored?.revision;
    tracker.discarded = stored?.discarded;
    if (stored?.discarded !== undefined && closedAtLeast > tracker.state.closedBefore) tracker.state.closedBefore = closedAtLeast;
    return tracker;
  }


  /**
   * The admission function for sendAlerts: true to send `alert` on its own. Rejected flows are
   * placed in windows by their event's timestamp; `openAfter` (epoch ms) makes windows ending at
   * or before it late, as the push-mode closer needs.
   */
  public admitter(openAfter = 0): (alert: Alert, event: LogEvent) => boolean {
    return (alert, event) => {
      // Only the detectors change the state; in flows mode nothing is recorded.
      if (this.settings.alertMode !== 'flows') this.dirty = true;
      const admission: Admission = admitFlow(this.state, alert, event.timestamp, this.settings, openAfter);
      if (admission === 'send') return true;
      this.counts[admission]++;
      return admission === 'late';
    };
  }

  /**
   * Saves the state: shrunk to its bounds, then written on condition of the revision read; when
   * another writer saved first, merged with theirs and tried again.
   * @throws Error when every attempt lost (the caller fails the run or delivery, which is retried).
   */
  public async save(): Promise<void> {
    if (!this.dirty) return;
    const store = this.store;
    for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
      enforceLimit(this.state);
      if (store === undefined) return;
      if (await store.save(this.logGroup, this.shard, this.revision, this.state)) {
        this.revision = (this.revision ?? 0) + 1;
        this.dirty = false;
        return;
      }
      const theirs = await store.load(this.logGroup, this.shard);
      const merged = theirs?.state ?? emptyState();
      mergeState(merged, this.state);
      dropClosed(merged);
      this.state = merged;
      this.revision = theirs?.revision;
      // Spread out writers that keep colliding on the same item.
      await this.sleep(backoffDelay(attempt + 1, 20, 1000));
    }
    throw new Error(`finding state of ${this.logGroup} (shard ${this.shard}) was saved by others ${MAX_SAVE_ATTEMPTS} times in a row`);
  }
}
