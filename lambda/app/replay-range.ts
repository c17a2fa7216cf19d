import { LogSourceError } from '../core/errors';
import type { FindingSettings, FindingType } from '../core/finding';
import type { OutputFormat } from '../core/contract-version';
import type { ClassifyOptions } from '../core/normalize';
import { addClose, closeWindows, emptyClose } from './close-findings';
import { SETTINGS } from '../settings/settings-table';
import { FindingTracker } from './finding-tracker';
import { sendAlerts } from './send-alerts';
import type { LogGroupTarget } from './poll-log-group';
import type { AlertPublisher, LogSource } from './ports';

/** FilterLogEvents returns at most this many events a page. */
const MAX_PAGE_EVENTS = 10_000;
/** How far past a window's end the range must be before its findings are sent: the stack's default lookback. */
export const LOOKBACK_MS = SETTINGS.lookbackMinutes.default * 60_000;

/** What a replay needs; all I/O behind ports. */
export interface ReplayDeps {
  readonly source: LogSource;
  readonly publisher: AlertPublisher;
  /** Without one, records the queue refuses in every form are reported as failed. */
  readonly quarantine?: AlertPublisher;
  readonly maxMessageBytes: number;
  /** The contract bodies follow. @default 'native' */
  readonly outputFormat?: OutputFormat;
}

/** Running totals of a replay, reported after every page. */
export interface ReplayProgress {
  pages: number;
  records: number;
  alertsSent: number;
  headersSkipped: number;
  quarantined: number;
  failed: number;
  throttles: number;
  /** Flows counted in findings (or allowlisted, or only counted) and not sent on their own. */
  held: number;
  /** Findings sent when the range was done, by type (alertMode `findings` or `both`). */
  findingsSent: Partial<Record<FindingType, number>>;
  /** The first reasons records could not be sent (at most 5). */
  readonly failureReasons: string[];
}

/** How a replay ended. */
export type ReplayOutcome =
  | { readonly kind: 'done'; readonly progress: ReplayProgress }
  | { readonly kind: 'read-failed'; readonly progress: ReplayProgress; readonly reason: string };

/**
 * Reads one log group's time range (inclusive, epoch ms) with FilterLogEvents, page by page, and
 * sends every event through the poller's delivery path: the same bodies, `alert_id`s and FIFO ids.
 * Events are not de-duplicated against what the poller sent: consumers drop repeats by `alert_id`.
 * With `findings`, the range is one stream for the detectors: its windows are closed and their
 * findings sent once it is read (the same ids as the stack's for the same windows).
 */
export async function replayRange(
  target: LogGroupTarget & { readonly classify?: ClassifyOptions; readonly findings?: FindingSettings },
  range: { readonly start: number; readonly end: number },
  deps: ReplayDeps,
  onPage: (progress: Readonly<ReplayProgress>) => void = () => undefined,
): Promise<ReplayOutcome> {
  const progress: ReplayProgress = { pages: 0, records: 0, alertsSent: 0, headersSkipped: 0, quarantined: 0, failed: 0, throttles: 0, held: 0, findingsSent: {}, failureReasons: [] };
  const tracker = target.findings === undefined || target.findings.alertMode === 'flows' ? undefined : FindingTracker.inMemory(target.name, target.findings);
  const admit = tracker?.admitter();
  let latest = Number.NEGATIVE_INFINITY;
  /** Findings of the last close that could not be sent: their windows stay open, and the next close sends them again. */
  let unsent = 0;
  const closeReplayed = async (t: FindingTracker, upTo: number): Promise<void> => {
    if (target.findings === undefined) return;
    const closed = await closeWindows(t.state, target.name, upTo, target.findings, outlets);
    addClose(found, { ...closed, failed: 0 });
    progress.findingsSent = found.byType;
    unsent = closed.failed;
  };
  const found = emptyClose();
  const outlets = {
    publisher: deps.publisher, maxMessageBytes: deps.maxMessageBytes,
    ...(deps.quarantine !== undefined && { quarantine: deps.quarantine }),
    ...(deps.outputFormat !== undefined && { outputFormat: deps.outputFormat }),
  };
  let token: string | undefined;
  do {
    let page;
    try {
      page = await deps.source.fetchPage({
        logGroup: target.name, filterPattern: target.filterPattern, start: range.start, end: range.end, limit: MAX_PAGE_EVENTS,
        ...(token !== undefined && { nextToken: token }),
      });
    } catch (error) {
      if (error instanceof LogSourceError) progress.throttles += error.throttles;
      return { kind: 'read-failed', progress, reason: error instanceof Error ? error.message : String(error) };
    }
    const result = await sendAlerts({ logGroup: target.name, format: target.format, ...(target.classify !== undefined && { classify: target.classify }), ...(admit !== undefined && { admit }) }, page.events, outlets);
    progress.held += result.held.length;
    await tracker?.save();
    if (tracker !== undefined && target.findings !== undefined) {
      // As the stack does: a window is done once the range is a lookback past its end.
      for (const event of page.events) latest = Math.max(latest, event.timestamp);
      await closeReplayed(tracker, latest - LOOKBACK_MS);
    }
    progress.pages++;
    progress.records += page.events.length;
    progress.throttles += page.throttles;
    progress.alertsSent += result.sent.length;
    progress.headersSkipped += result.headers.length;
    progress.quarantined += result.quarantined.length;
    progress.failed += result.failed.length;
    for (const failure of result.failed) {
      if (progress.failureReasons.length < 5) progress.failureReasons.push(`event ${failure.event.eventId}: ${failure.reason}`);
    }
    onPage(progress);
    token = page.nextToken;
  } while (token !== undefined);
  if (tracker !== undefined) await closeReplayed(tracker, Number.MAX_SAFE_INTEGER);
  // Only what the last close could not send is missing (earlier failures were sent again by later closes).
  progress.failed += unsent;
  if (unsent > 0 && progress.failureReasons.length < 5) progress.failureReasons.push(`${unsent} findings could not be sent`);
  return { kind: 'done', progress };
}
