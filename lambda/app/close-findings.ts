import { findingsOfWindow } from '../core/close-window';
import type { FindingAlert, FindingSettings, FindingType } from '../core/finding';
import type { DetectorState } from '../core/finding-state';
import { dropClosed, emptyState, mergeState } from '../core/finding-state';
import type { AlertPublisher, FindingStateStore, OutboundMessage } from './ports';
import type { OutputFormat } from '../core/contract-version';
import { schemaAttribute } from '../core/contract-version';
import { toOcsfFinding } from '../core/ocsf';
import { findingBody } from '../core/finding-body';
import { ATTRIBUTE_RESERVE_BYTES, fifoGroupId } from './send-alerts';

/** The queue size every SQS queue takes, when no other is given. */
const SQS_DEFAULT_MAX_BYTES = 262_144;

/** Conditional saves tried per shard when marking windows closed. */
const MAX_CLOSE_ATTEMPTS = 6;

/** Where findings go. */
export interface FindingOutlets {
  readonly publisher: AlertPublisher;
  /** Receives a finding the alert queue refuses for its contents (it never should: findings are small ASCII JSON). */
  readonly quarantine?: AlertPublisher;
  /** The contract bodies follow. @default 'native' */
  readonly outputFormat?: OutputFormat;
  /** Largest message the queue takes, attributes included. @default 262,144 */
  readonly maxMessageBytes?: number;
}

/** What closing windows did. */
export interface CloseResult {
  /** Windows whose findings are out (and that are now closed). */
  windows: number;
  sent: number;
  byType: Partial<Record<FindingType, number>>;
  /** Findings not sent (transient faults): their windows stay open and are closed by a later run. */
  failed: number;
  quarantined: number;
}

/** Nothing closed yet. */
export function emptyClose(): CloseResult {
  return { windows: 0, sent: 0, byType: {}, failed: 0, quarantined: 0 };
}

/** Adds `b` to `a`. */
export function addClose(a: CloseResult, b: CloseResult): void {
  a.windows += b.windows;
  a.sent += b.sent;
  a.failed += b.failed;
  a.quarantined += b.quarantined;
  for (const [type, n] of Object.entries(b.byType) as Array<[FindingType, number]>) a.byType[type] = (a.byType[type] ?? 0) + n;
}

/**
 * Closes the windows of `state` that end at or before `upTo` (epoch ms), oldest end first: sends
 * each one's findings and, once they are all out, marks it closed and drops it. A window whose
 * findings fail stays open with every later one; the next run sends them again with the same ids.
 * For a state one writer owns (a poll run holding its group's lease, or a command).
 */
export async function closeWindows(state: DetectorState, logGroup: string, upTo: number, settings: FindingSettings, outlets: FindingOutlets): Promise<CloseResult> {
  const { result, closedThrough } = await sendClosable(state, logGroup, upTo, settings, outlets);
  if (closedThrough > state.closedBefore) {
    state.closedBefore = closedThrough;
    dropClosed(state);
  }
  return result;
}

/**
 * The closer of push and s3 modes: merges the shards of `logGroup`, sends the findings of the
 * windows ending at or before `upTo`, then marks them closed in every shard. Writers stop adding to
 * a window well before `upTo` passes its end (see FindingTracker.admitter), so no flow lands in a
 * window after its findings were made. `storedShards`: how many shards have an item at all.
 */
export async function closeShardedWindows(
  store: FindingStateStore, logGroup: string, shards: number, upTo: number, settings: FindingSettings, outlets: FindingOutlets,
): Promise<CloseResult & { readonly storedShards: number }> {
  const merged = emptyState();
  let storedShards = 0;
  for (let shard = 0; shard < shards; shard++) {
    const stored = await store.load(logGroup, shard);
    if (stored === undefined) continue;
    storedShards++;
    mergeState(merged, stored.state);
  }
  const { result, closedThrough } = await sendClosable(merged, logGroup, upTo, settings, outlets);
  if (closedThrough <= merged.closedBefore) return { ...result, storedShards };
  for (let shard = 0; shard < shards; shard++) {
    for (let attempt = 0; ; attempt++) {
      const stored = await store.load(logGroup, shard);
      if (stored === undefined || stored.state.closedBefore >= closedThrough) break;
      stored.state.closedBefore = closedThrough;
      dropClosed(stored.state);
      if (await store.save(logGroup, shard, stored.revision, stored.state)) break;
      if (attempt + 1 >= MAX_CLOSE_ATTEMPTS) throw new Error(`finding state of ${logGroup} (shard ${shard}) changed ${MAX_CLOSE_ATTEMPTS} times while its windows were being closed`);
    }
  }
  return { ...result, storedShards };
}

/**
 * Sends the findings of each window ending at or before `upTo`, in order of their ends, stopping at
 * the first window whose findings are not all out. `closedThrough` is the end of the last window
 * sent in full: every window ending at or before it is done.
 */
async function sendClosable(state: DetectorState, logGroup: string, upTo: number, settings: FindingSettings, outlets: FindingOutlets): Promise<{ result: CloseResult; closedThrough: number }> {
  const result = emptyClose();
  let closedThrough = state.closedBefore;
  const closable = [...state.windows].filter(([start, w]) => start + w.length <= upTo).sort((a, b) => a[0] + a[1].length - (b[0] + b[1].length) || a[0] - b[0]);
  for (const [start, window] of closable) {
    const findings = findingsOfWindow(window, { logGroup, start, windowMs: window.length }, settings);
    const failed = await publishFindings(findings, logGroup, outlets, result);
    if (failed > 0) break;
    result.windows++;
    closedThrough = Math.max(closedThrough, start + window.length);
  }
  return { result, closedThrough };
}

/** Publishes `findings`; a permanent refusal goes to the quarantine queue. Returns how many are not out. */
async function publishFindings(findings: readonly FindingAlert[], logGroup: string, outlets: FindingOutlets, result: CloseResult): Promise<number> {
  if (findings.length === 0) return 0;
  const byId = new Map(findings.map((f, i) => [String(i), f]));
  const messages = findings.map((f, i) => findingMessage(String(i), f, logGroup, outlets.outputFormat, outlets.maxMessageBytes));
  const answer = await outlets.publisher.publish(messages);
  for (const id of answer.sent) count(result, byId.get(id));
  const refused = answer.failed.filter((f) => f.permanent && outlets.quarantine !== undefined);
  let failed = answer.failed.length - refused.length;
  if (refused.length > 0 && outlets.quarantine !== undefined) {
    const kept = await outlets.quarantine.publish(refused.map((r) => ({ ...(messages[Number(r.id)] as OutboundMessage), attributes: { kind: 'quarantined' } })));
    result.quarantined += kept.sent.length;
    failed += kept.failed.length;
  }
  result.failed += failed;
  return failed;
}

function count(result: CloseResult, finding: FindingAlert | undefined): void {
  if (finding === undefined) return;
  result.sent++;
  result.byType[finding.finding_type] = (result.byType[finding.finding_type] ?? 0) + 1;
}

/** The queue message of a finding: its JSON (ASCII, a few KB at most) with the filtering attributes. */
export function findingMessage(id: string, finding: FindingAlert, logGroup: string, format: OutputFormat = 'native', maxMessageBytes = SQS_DEFAULT_MAX_BYTES): OutboundMessage {
  return {
    id,
    body: findingBody(finding, maxMessageBytes - ATTRIBUTE_RESERVE_BYTES, format === 'ocsf' ? toOcsfFinding : undefined),
    attributes: { severity: finding.severity, source: finding.source, category: finding.category, finding_type: finding.finding_type, schema: schemaAttribute(format) },
    groupId: fifoGroupId(finding.cloud_resource ?? finding.src_ip ?? logGroup),
    deduplicationId: finding.alert_id,
  };
}
