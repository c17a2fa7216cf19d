import { createHash } from 'node:crypto';
import type { CompiledFormat } from '../core/log-format';
import type { ClassifyOptions } from '../core/normalize';
import { CorruptPayload, decodeSubscriptionPayload } from '../core/subscription-payload';
import type { DeliveryResult } from './send-alerts';
import { sendAlerts } from './send-alerts';
import { UNTRUSTED_LOG_GROUP } from '../settings/metric-names';
import type { FindingSettings } from '../core/finding';
import type { OutputFormat } from '../core/contract-version';
import type { AdmissionCounts } from './finding-tracker';
import { FindingTracker, pushTiming, shardOf } from './finding-tracker';
import type { AlertPublisher, FindingStateStore, LogEvent } from './ports';

/** What the subscription handler needs. */
export interface DeliveryDeps {
  /** Layouts of the subscribed log groups by name: deliveries from any other group are refused. */
  readonly formats: ReadonlyMap<string, CompiledFormat>;
  /** Layout used to report a corrupt delivery, which names no group. */
  readonly defaultFormat: CompiledFormat;
  readonly publisher: AlertPublisher;
  /** The quarantine queue's publisher. */
  readonly quarantine: AlertPublisher;
  readonly maxMessageBytes: number;
  /** The contract bodies follow. @default 'native' */
  readonly outputFormat?: OutputFormat;
  /** Current time, epoch ms: the event time of a corrupt delivery, which has none of its own. */
  readonly now: () => number;
  /** Internal networks and severity policy; the defaults when absent. */
  readonly classify?: ClassifyOptions;
  /** The detectors, when alertMode is not `flows`: settings, state store, and how late a record may come. */
  readonly findings?: { readonly settings: FindingSettings; readonly store: FindingStateStore; readonly lookbackMs: number };
}

/** The outcome of one delivery, for logs and metrics. */
export interface DeliveryStats {
  readonly kind: 'data' | 'control' | 'corrupt' | 'refused';
  /** The configured group (absent for corrupt and refused deliveries, whose names are not trusted). */
  readonly logGroup?: string;
  readonly recordsRead: number;
  readonly alertsSent: number;
  readonly headersSkipped: number;
  readonly unparsedRecords: number;
  readonly sendFailures: number;
  readonly quarantined: number;
  /** Event ids and reasons of the quarantined records (at most 20), for the log. */
  readonly quarantinedRecords: ReadonlyArray<{ readonly eventId: string; readonly reason: string }>;
  readonly bySeverity: Readonly<Record<string, number>>;
  /** What the detectors did with the delivery's flows (alertMode `findings` or `both`). */
  readonly admissions?: AdmissionCounts;
  /** Why the stored finding state could not be read (it was started afresh). */
  readonly findingStateDiscarded?: string;
  /** Why a corrupt delivery could not be decoded, or why a delivery was refused. */
  readonly reason?: string;
  /** A refused delivery's claimed group (for a log line, never a metric dimension). */
  readonly claimedGroup?: string;
}

/**
 * Handles one CloudWatch Logs subscription delivery (base64 gzip JSON). DATA_MESSAGE records from a
 * configured group of this account go through the same path as polled ones; a CONTROL_MESSAGE is
 * acknowledged; a delivery from any other group or account is refused (counted, nothing sent); a
 * delivery that cannot be decoded, or exceeds what CloudWatch Logs sends, is sent as one unparsed
 * alert carrying its raw data, so a poisoned record is seen and never blocks a shard. `id`
 * identifies the delivery (a Kinesis sequence number) for the alert id. `account` is this
 * function's account; deliveries owned by another one are refused.
 */
export async function receiveDelivery(data: string, deps: DeliveryDeps, account: string | undefined, id?: string): Promise<DeliveryStats> {
  const outlets = { publisher: deps.publisher, quarantine: deps.quarantine, maxMessageBytes: deps.maxMessageBytes, ...(deps.outputFormat !== undefined && { outputFormat: deps.outputFormat }) };
  const payload = decodeSubscriptionPayload(data);
  if (payload instanceof CorruptPayload) {
    const eventId = `delivery:${id ?? createHash('sha256').update(data).digest('hex').slice(0, 32)}`;
    const event = { eventId, timestamp: deps.now(), message: data, unparsedReason: `corrupt subscription delivery: ${payload.reason}` };
    const result = await sendAlerts({ logGroup: UNTRUSTED_LOG_GROUP, format: deps.defaultFormat }, [event], outlets);
    return { ...counts(result, 1), kind: 'corrupt', reason: payload.reason };
  }
  if (payload.messageType === 'CONTROL_MESSAGE') return { ...counts(undefined, 0), kind: 'control' };
  const format = deps.formats.get(payload.logGroup);
  const foreign = account !== undefined && payload.owner !== account;
  if (format === undefined || foreign) {
    const reason = foreign ? `owner account ${payload.owner.slice(0, 32)} is not this account` : 'log group is not configured';
    return { ...counts(undefined, payload.logEvents.length), kind: 'refused', reason, claimedGroup: payload.logGroup.slice(0, 512) };
  }
  const events: LogEvent[] = payload.logEvents.map((e) => ({ eventId: e.id, timestamp: e.timestamp, message: e.message, logStreamName: payload.logStream }));
  const tracker = deps.findings === undefined ? undefined : await FindingTracker.open(deps.findings.store, payload.logGroup, shardOf(payload.logStream), deps.findings.settings);
  const admit = tracker === undefined || deps.findings === undefined ? undefined : tracker.admitter(pushTiming(deps.findings.lookbackMs, deps.now()).openAfter);
  const result = await sendAlerts({ logGroup: payload.logGroup, format, ...(deps.classify !== undefined && { classify: deps.classify }), ...(admit !== undefined && { admit }) }, events, outlets);
  // The held flows exist only in the state: a delivery is done once it is saved (else it is retried).
  await tracker?.save();
  return {
    ...counts(result, events.length), kind: 'data', logGroup: payload.logGroup,
    ...(tracker !== undefined && { admissions: tracker.counts }),
    ...(tracker?.discarded !== undefined && { findingStateDiscarded: tracker.discarded }),
  };
}

function counts(result: DeliveryResult | undefined, recordsRead: number): Omit<DeliveryStats, 'kind'> {
  const bySeverity: Record<string, number> = {};
  let unparsed = 0;
  for (const { alert } of result?.sent ?? []) {
    bySeverity[alert.severity] = (bySeverity[alert.severity] ?? 0) + 1;
    if (alert.raw_event.record_format === 'unparsed') unparsed++;
  }
  return {
    recordsRead,
    alertsSent: result?.sent.length ?? 0,
    headersSkipped: result?.headers.length ?? 0,
    unparsedRecords: unparsed,
    sendFailures: result?.failed.length ?? 0,
    quarantined: result?.quarantined.length ?? 0,
    quarantinedRecords: (result?.quarantined ?? []).slice(0, 20).map((q) => ({ eventId: q.event.eventId, reason: q.reason })),
    bySeverity,
  };
}
