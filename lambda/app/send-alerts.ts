import { createHash } from 'node:crypto';
import type { Alert, S3Origin } from '../core/alert';
import type { CompiledFormat } from '../core/log-format';
import type { OutputFormat } from '../core/contract-version';
import { schemaAttribute } from '../core/contract-version';
import type { Render } from '../core/message-body';
import { minimalBody, toMessageBody } from '../core/message-body';
import { toOcsfNetworkActivity } from '../core/ocsf';
import type { ClassifyOptions } from '../core/normalize';
import { DEFAULT_CLASSIFY, messageToAlert, normalize } from '../core/normalize';
import { toQuarantineBody } from '../core/quarantine-body';
import type { AlertPublisher, LogEvent, OutboundMessage } from './ports';

/** Room left in a message for its attributes, which SQS counts toward the size limit. */
export const ATTRIBUTE_RESERVE_BYTES = 1024;

/** The queue body of `alert` in `format` for a queue whose largest message is `maxMessageBytes`, attributes included. */
export function bodyOf(alert: Alert, maxMessageBytes: number, format: OutputFormat = 'native'): string {
  return toMessageBody(alert, maxMessageBytes - ATTRIBUTE_RESERVE_BYTES, RENDER[format]);
}

/** What each output format serializes. */
const RENDER: Readonly<Record<OutputFormat, Render>> = { native: (alert) => alert, ocsf: toOcsfNetworkActivity };
/**
 * Events normalized and sent at a time: alerts and bodies of one chunk are in memory at once,
 * whatever the size of the page or delivery.
 */
export const DELIVERY_CHUNK_EVENTS = 2500;

/** Says whether an alert is sent on its own (true), or held: counted (in a finding) and not sent. */
export type Admit = (alert: Alert, event: LogEvent) => boolean;

/** Where events come from and how to read them. */
export interface EventSource {
  readonly logGroup: string;
  readonly format: CompiledFormat;
  /** Internal networks and severity policy; the defaults when absent. */
  readonly classify?: ClassifyOptions;
  /**
   * Says whether an alert is sent on its own (true), or held: counted (in a finding) and not sent.
   * Absent: every alert is sent.
   */
  readonly admit?: Admit;
}

/** Where alerts go. */
export interface DeliveryOutlets {
  readonly publisher: AlertPublisher;
  /** Receives records the alert queue refused even in minimal form; without it they are reported as failed. */
  readonly quarantine?: AlertPublisher;
  readonly maxMessageBytes: number;
  /** The contract bodies follow. @default 'native' */
  readonly outputFormat?: OutputFormat;
}

/** An event that could not be delivered; `permanent` when retrying it as it is cannot help. */
export interface FailedEvent {
  readonly event: LogEvent;
  readonly reason: string;
  readonly permanent: boolean;
}

/** What delivering a set of events did, event by event. */
export interface DeliveryResult {
  /** Events whose alert the queue accepted (in full, or in minimal form after a refusal). */
  readonly sent: Array<{ readonly event: LogEvent; readonly alert: Alert }>;
  /** Header lines: no flow, nothing to send. */
  readonly headers: LogEvent[];
  /** Events `admit` held back: handled, and not sent on their own. */
  readonly held: LogEvent[];
  /** Events the alert queue refused in both forms, now in the quarantine queue. */
  readonly quarantined: Array<{ readonly event: LogEvent; readonly alertId: string; readonly reason: string }>;
  /** Events whose alert the queue refused in full and took in minimal form. */
  downgraded: number;
  /** Events not delivered anywhere: transient faults after retries (and refusals with no quarantine). */
  readonly failed: FailedEvent[];
}

type InputEvent = LogEvent & { readonly unparsedReason?: string; readonly s3?: S3Origin };

/**
 * The one path from log events to queue messages, shared by every entry point: normalize each event,
 * serialize it within the size limit, publish with the filtering attributes (and FIFO ids), and
 * report per event what happened. A message the queue refuses for its contents is sent once more in
 * minimal form; refused again, it goes to the quarantine queue. So no record can block the others.
 */
export async function sendAlerts(source: EventSource, events: readonly InputEvent[], outlets: DeliveryOutlets): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: [], headers: [], held: [], quarantined: [], downgraded: 0, failed: [] };
  for (let start = 0; start < events.length; start += DELIVERY_CHUNK_EVENTS) {
    await deliverChunk(source, events.slice(start, start + DELIVERY_CHUNK_EVENTS), outlets, result);
  }
  return result;
}

interface Prepared {
  readonly event: LogEvent;
  readonly alert: Alert;
  readonly message: OutboundMessage;
}

async function deliverChunk(source: EventSource, events: readonly InputEvent[], outlets: DeliveryOutlets, result: DeliveryResult): Promise<void> {
  const byId = new Map<string, Prepared>();
  const messages: OutboundMessage[] = [];
  for (const event of events) {
    const alert = toAlert(source, event);
    if (alert === null) {
      result.headers.push(event);
      continue;
    }
    if (source.admit !== undefined && !source.admit(alert, event)) {
      result.held.push(event);
      continue;
    }
    const format = outlets.outputFormat ?? 'native';
    const message = outbound(String(messages.length), alert, bodyOf(alert, outlets.maxMessageBytes, format), source, format);
    byId.set(message.id, { event, alert, message });
    messages.push(message);
  }
  if (messages.length === 0) return;

  const first = await outlets.publisher.publish(messages);
  for (const id of first.sent) push(result.sent, byId.get(id));
  const refused: Array<Prepared & { readonly reason: string }> = [];
  for (const failure of first.failed) {
    const entry = byId.get(failure.id);
    if (entry === undefined) continue;
    if (failure.permanent) refused.push({ ...entry, reason: failure.reason });
    else result.failed.push({ event: entry.event, reason: failure.reason, permanent: false });
  }
  if (refused.length === 0) return;

  // Refused for its contents: the minimal form (ASCII, small) is what SQS cannot refuse for that.
  const render = RENDER[outlets.outputFormat ?? 'native'];
  const second = await outlets.publisher.publish(refused.map((r) => ({ ...r.message, body: minimalBody(r.alert, 'refused_by_queue', render) })));
  const refusedById = new Map(refused.map((r) => [r.message.id, r]));
  for (const id of second.sent) {
    push(result.sent, refusedById.get(id));
    result.downgraded++;
  }
  const toQuarantine: Array<Prepared & { readonly reason: string }> = [];
  for (const failure of second.failed) {
    const entry = refusedById.get(failure.id);
    if (entry === undefined) continue;
    const reason = `${entry.reason}; minimal form: ${failure.reason}`;
    if (failure.permanent) toQuarantine.push({ ...entry, reason });
    else result.failed.push({ event: entry.event, reason, permanent: false });
  }
  if (toQuarantine.length > 0) await quarantine(source, toQuarantine, outlets, result);
}

async function quarantine(source: EventSource, entries: ReadonlyArray<Prepared & { readonly reason: string }>, outlets: DeliveryOutlets, result: DeliveryResult): Promise<void> {
  if (outlets.quarantine === undefined) {
    for (const entry of entries) result.failed.push({ event: entry.event, reason: entry.reason, permanent: true });
    return;
  }
  const byId = new Map(entries.map((e) => [e.message.id, e]));
  const stored = await outlets.quarantine.publish(
    entries.map((e) => ({
      ...e.message,
      body: toQuarantineBody(e.alert.alert_id, e.reason, e.event.message, metaOf(source, e.event)),
      attributes: { kind: 'quarantined' },
    })),
  );
  for (const id of stored.sent) {
    const entry = byId.get(id);
    if (entry !== undefined) result.quarantined.push({ event: entry.event, alertId: entry.alert.alert_id, reason: entry.reason });
  }
  for (const failure of stored.failed) {
    const entry = byId.get(failure.id);
    if (entry !== undefined) result.failed.push({ event: entry.event, reason: `${entry.reason}; quarantine: ${failure.reason}`, permanent: false });
  }
}

function toAlert(source: EventSource, event: InputEvent): Alert | null {
  const meta = metaOf(source, event);
  // A caller that already knows why a message cannot be read (a corrupt delivery) says so.
  const classify = source.classify ?? DEFAULT_CLASSIFY;
  return event.unparsedReason === undefined
    ? messageToAlert(event.message, source.format, meta, classify)
    : normalize(event.message, { kind: 'unparsed', reason: event.unparsedReason }, meta, classify);
}

function metaOf(source: EventSource, event: InputEvent) {
  return {
    // A record from S3 says which object and line it is, and has no log group.
    ...(event.s3 === undefined ? { logGroup: source.logGroup } : { s3: event.s3 }),
    eventId: event.eventId,
    timestamp: event.timestamp,
    ...(event.ingestionTime !== undefined && { ingestionTime: event.ingestionTime }),
    ...(event.logStreamName !== undefined && { logStream: event.logStreamName }),
  };
}

function outbound(id: string, alert: Alert, body: string, source: EventSource, format: OutputFormat): OutboundMessage {
  return {
    id,
    body,
    attributes: { severity: alert.severity, source: alert.source, category: alert.category, record_format: alert.raw_event.record_format, schema: schemaAttribute(format) },
    groupId: fifoGroupId(alert.cloud_resource ?? source.logGroup),
    deduplicationId: alert.alert_id,
  };
}

function push(target: Array<{ event: LogEvent; alert: Alert }>, entry: Prepared | undefined): void {
  if (entry !== undefined) target.push({ event: entry.event, alert: entry.alert });
}

/**
 * A FIFO MessageGroupId: 1-128 printable ASCII characters. An ENI id always fits; a long log group
 * name or a JSON record's free-text interface id is replaced by its hash, because SQS would reject
 * the message on every retry and block the group's checkpoint.
 */
export function fifoGroupId(value: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(value) ? value : `sha256-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}
