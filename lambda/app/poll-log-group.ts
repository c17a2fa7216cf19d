import { LogSourceError } from '../core/errors';
import type { CompiledFormat } from '../core/log-format';
import type { ClassifyOptions } from '../core/normalize';
import type { PollPosition, WindowSettings } from '../core/poll-window';
import { planWindow, SEARCH_MARGIN_MS } from '../core/poll-window';
import { SeenSet } from '../core/seen-set';
import type { FindingSettings } from '../core/finding';
import type { OutputFormat } from '../core/contract-version';
import type { CloseResult } from './close-findings';
import { addClose, closeWindows, emptyClose } from './close-findings';
import type { AdmissionCounts } from './finding-tracker';
import { emptyAdmissions, FindingTracker } from './finding-tracker';
import { sendAlerts } from './send-alerts';
import type { AlertPublisher, CheckpointStore, FindingStateStore, LogEvent, LogSource } from './ports';

/** Quarantined records a run names in its log (the metric counts them all). */
export const MAX_REPORTED_QUARANTINED = 20;

/** FilterLogEvents returns at most this many events a page. */
const MAX_PAGE_EVENTS = 10_000;

/** One log group to poll. */
export interface LogGroupTarget {
  readonly name: string;
  readonly format: CompiledFormat;
  readonly filterPattern: string;
}

/** What one poll needs; all I/O behind ports, time passed in. */
export interface PollDeps {
  readonly source: LogSource;
  readonly publisher: AlertPublisher;
  /** Where records the alert queue refuses in every form go (see sendAlerts). */
  readonly quarantine?: AlertPublisher;
  readonly checkpoints: CheckpointStore;
  readonly settings: WindowSettings & { readonly maxMessageBytes: number; readonly classify?: ClassifyOptions; readonly outputFormat?: OutputFormat };
  /** Current time, epoch ms. */
  readonly now: () => number;
  /** True once the run must stop reading to leave time for its checkpoint. */
  readonly outOfTime: () => boolean;
  /** Identifies this run as the holder of each group's lease (the Lambda request id). */
  readonly runId: string;
  /** When a lease taken now must expire, epoch ms: the end of this invocation. */
  readonly leaseUntil: () => number;
  /**
   * The detectors: their settings and where their state is kept. In `flows` mode they only close
   * the windows an earlier `findings` run left open, so switching modes never drops held flows.
   */
  readonly findings?: { readonly settings: FindingSettings; readonly store: FindingStateStore };
}

/** Why a group's poll ended. */
export type PollEnd = 'caught-up' | 'capped' | 'out-of-time' | 'send-failed' | 'poll-error' | 'conflict' | 'leased';

/** Per-group outcome; the handler turns it into logs and metrics. */
export interface PollStats {
  logGroup: string;
  end: PollEnd;
  recordsRead: number;
  alertsSent: number;
  duplicatesSkipped: number;
  headersSkipped: number;
  unparsedRecords: number;
  sendFailures: number;
  /** Records the alert queue refused in every form, kept in the quarantine queue; the checkpoint moved on. */
  quarantined: number;
  /** Event ids and reasons of the first quarantined records (at most MAX_REPORTED_QUARANTINED), for the log. */
  quarantinedRecords: Array<{ eventId: string; reason: string }>;
  /** Alerts the queue refused in full and took in minimal form. */
  downgraded: number;
  /** ThrottlingExceptions met (each waited out with backoff, or the reason the poll stopped). */
  throttles: number;
  pagesRead: number;
  /** now − watermark after the run, seconds; absent when the run failed before knowing it. */
  lagSeconds?: number;
  /** Time ranges older than the catch-up limit that were left unread. */
  gaps: Array<{ start: number; end: number }>;
  /** Set when the poll failed: the source's classification and message. */
  error?: { kind: string; message: string };
  /** Counts by severity of the alerts sent. */
  bySeverity: Record<string, number>;
  /** Flows held, allowlisted, counted or late (alertMode `findings` or `both`). */
  admissions: AdmissionCounts;
  /** Findings sent as windows closed. */
  findings: CloseResult;
  /** Why the stored finding state could not be read (the run started afresh), when it could not. */
  findingStateDiscarded?: string;
}

/**
 * Polls one log group: plans windows from the checkpoint, reads pages, skips events already
 * sent, normalizes and publishes the rest, and saves the checkpoint after every page. The
 * checkpoint only ever moves past events whose send succeeded. `budget` is how many alerts this
 * run may still send (MAX_EVENTS_PER_RUN shared by all groups); the stats say how many it used.
 */
export async function pollLogGroup(target: LogGroupTarget, deps: PollDeps, budget: number): Promise<PollStats> {
  const stats = emptyStats(target.name);
  let leased = false;
  try {
    // One run at a time per group: a second, overlapping run skips the group instead of resending it.
    leased = await deps.checkpoints.acquireLease(target.name, deps.runId, deps.leaseUntil(), deps.now());
    if (!leased) {
      stats.end = 'leased';
      return stats;
    }
    return await poll(target, deps, budget, stats);
  } catch (error) {
    // A failure outside the log source (the checkpoint table, an SDK fault) stops this group only:
    // its checkpoint stays at the last successful save, and the other groups are still polled.
    stats.end = 'poll-error';
    stats.error = { kind: 'internal', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    return stats;
  } finally {
    if (leased) await deps.checkpoints.releaseLease(target.name, deps.runId).catch(() => undefined);
  }
}

async function poll(target: LogGroupTarget, deps: PollDeps, budget: number, stats: PollStats): Promise<PollStats> {
  const stored = await deps.checkpoints.load(target.name);
  let revision = stored?.revision;
  let position: PollPosition | undefined = stored?.position;
  const seen = stored?.seen ?? new SeenSet();
  // One shard per group: the lease makes this run its only writer.
  // A lost state item never reopens the windows the watermark has already passed.
  const closedAtLeast = position === undefined ? 0 : position.watermark - deps.settings.lookbackMs - SEARCH_MARGIN_MS;
  const tracker = deps.findings === undefined ? undefined : await FindingTracker.open(deps.findings.store, target.name, 0, deps.findings.settings, closedAtLeast);
  if (tracker?.discarded !== undefined) stats.findingStateDiscarded = tracker.discarded;
  if (tracker !== undefined) stats.admissions = tracker.counts;
  const finish = (end: PollEnd): PollStats => {
    stats.end = end;
    const watermark = position?.watermark ?? deps.now() - deps.settings.lookbackMs;
    stats.lagSeconds = Math.max(0, Math.round((deps.now() - watermark) / 1000));
    return stats;
  };
  const save = async (next: PollPosition): Promise<boolean> => {
    // Held flows live only in the finding state: it is saved before the checkpoint moves past them.
    await tracker?.save();
    if (!(await deps.checkpoints.save(target.name, revision, next, seen))) return false;
    revision = (revision ?? 0) + 1;
    position = next;
    return true;
  };
  // A new group records where it starts before reading, so runs that fail before their first
  // save cannot move the start forward unnoticed: later runs catch up from here, and lag shows it.
  if (position === undefined) {
    const now = deps.now();
    if (!(await save({ watermark: now, pending: { start: now - deps.settings.lookbackMs - SEARCH_MARGIN_MS, end: now } }))) return finish('conflict');
  }

  for (;;) {
    const plannedAt = deps.now();
    const window = planWindow(position, plannedAt, deps.settings);
    if (window === undefined) return finish('caught-up');
    if (window.gap !== undefined) stats.gaps.push(window.gap);
    let token = window.nextToken;
    for (;;) {
      if (stats.alertsSent >= budget) return finish('capped');
      if (deps.outOfTime()) return finish('out-of-time');
      let page;
      try {
        page = await deps.source.fetchPage({
          logGroup: target.name, filterPattern: target.filterPattern, start: window.start, end: window.end,
          limit: Math.max(1, Math.min(MAX_PAGE_EVENTS, budget - stats.alertsSent)),
          ...(token !== undefined && { nextToken: token }),
        });
      } catch (error) {
        if (error instanceof LogSourceError) stats.throttles += error.throttles;
        if (error instanceof LogSourceError && error.kind === 'invalid-token' && token !== undefined) {
          // An expired continuation: read the window again; the seen-set drops what was sent.
          token = undefined;
          continue;
        }
        stats.error = error instanceof LogSourceError ? { kind: error.kind, message: error.message } : { kind: 'other', message: String(error) };
        return finish('poll-error');
      }
      stats.pagesRead++;
      stats.throttles += page.throttles;
      stats.recordsRead += page.events.length;

      const fresh = await publishPage(target, page.events, seen, deps, stats, tracker);
      if (fresh.failed > 0) {
        // Leave the position before this page: the next run re-reads it and resends only the failures.
        const retry: PollPosition = { watermark: position?.watermark ?? window.start, pending: { start: window.start, end: window.end, ...(token !== undefined && { nextToken: token }) } };
        if (!(await save(retry))) return finish('conflict');
        return finish('send-failed');
      }

      token = page.nextToken;
      if (token === undefined) {
        seen.prune(window.end - deps.settings.lookbackMs - SEARCH_MARGIN_MS);
        const done: PollPosition = { watermark: Math.max(window.end, position?.watermark ?? window.end) };
        if (!(await save(done))) return finish('conflict');
        if (tracker !== undefined && deps.findings !== undefined) {
          // Every record timestamped before watermark − lookback has been read: those windows are final.
          const closed = await closeWindows(tracker.state, target.name, done.watermark - deps.settings.lookbackMs - SEARCH_MARGIN_MS, deps.findings.settings, {
            publisher: deps.publisher,
            maxMessageBytes: deps.settings.maxMessageBytes,
            ...(deps.quarantine !== undefined && { quarantine: deps.quarantine }),
            ...(deps.settings.outputFormat !== undefined && { outputFormat: deps.settings.outputFormat }),
          });
          addClose(stats.findings, closed);
          if (closed.windows > 0) {
            tracker.touch();
            await tracker.save();
          }
        }
        // A window ending within one lookback of now is the last of this run: the next window
        // would mostly re-read this one's overlap, and chasing the moving clock never ends.
        if (window.end >= plannedAt - deps.settings.lookbackMs) return finish('caught-up');
        break;
      }
      const pending: PollPosition = { watermark: position?.watermark ?? window.start, pending: { start: window.start, end: window.end, nextToken: token } };
      if (!(await save(pending))) return finish('conflict');
    }
  }
}

/** Stats of a poll that has done nothing yet. */
export function emptyStats(logGroup: string): PollStats {
  return {
    logGroup, end: 'caught-up', recordsRead: 0, alertsSent: 0, duplicatesSkipped: 0,
    headersSkipped: 0, unparsedRecords: 0, sendFailures: 0, quarantined: 0, quarantinedRecords: [], downgraded: 0, throttles: 0, pagesRead: 0, gaps: [], bySeverity: {},
    admissions: emptyAdmissions(), findings: emptyClose(),
  };
}

/** Delivers the events of one page not sent before; records the sent ones (and headers) in `seen`. */
async function publishPage(
  target: LogGroupTarget,
  events: readonly LogEvent[],
  seen: SeenSet,
  deps: PollDeps,
  stats: PollStats,
  tracker: FindingTracker | undefined,
): Promise<{ failed: number }> {
  const fresh = events.filter((event) => !seen.has(event.eventId));
  stats.duplicatesSkipped += events.length - fresh.length;
  const result = await sendAlerts({
    logGroup: target.name, format: target.format,
    ...(deps.settings.classify !== undefined && { classify: deps.settings.classify }),
    ...(tracker !== undefined && deps.findings?.settings.alertMode !== 'flows' && { admit: tracker.admitter() }),
  }, fresh, {
    publisher: deps.publisher,
    maxMessageBytes: deps.settings.maxMessageBytes,
    ...(deps.settings.outputFormat !== undefined && { outputFormat: deps.settings.outputFormat }),
    ...(deps.quarantine !== undefined && { quarantine: deps.quarantine }),
  });
  // Headers hold no flow; quarantined records are kept elsewhere; held ones are in the finding
  // state (saved before the checkpoint): none is read again.
  for (const header of result.headers) seen.add(header.eventId, header.timestamp);
  for (const held of result.held) seen.add(held.eventId, held.timestamp);
  for (const { event, reason } of result.quarantined) {
    seen.add(event.eventId, event.timestamp);
    if (stats.quarantinedRecords.length < MAX_REPORTED_QUARANTINED) stats.quarantinedRecords.push({ eventId: event.eventId, reason });
  }
  stats.quarantined += result.quarantined.length;
  stats.downgraded += result.downgraded;
  stats.headersSkipped += result.headers.length;
  for (const { event, alert } of result.sent) {
    seen.add(event.eventId, event.timestamp);
    stats.alertsSent++;
    stats.bySeverity[alert.severity] = (stats.bySeverity[alert.severity] ?? 0) + 1;
    if (alert.raw_event.record_format === 'unparsed') stats.unparsedRecords++;
  }
  stats.sendFailures += result.failed.length;
  return { failed: result.failed.length };
}
