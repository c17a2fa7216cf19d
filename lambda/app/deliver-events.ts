import { createHash } from 'node:crypto';
import type { Alert } from '../core/alert';
import type { CompiledFormat } from '../core/log-format';
import { toMessageBody } from '../core/message-body';
import { messageToAlert, normalize } from '../core/normalize';
import type { AlertPublisher, LogEvent, OutboundMessage } from './ports';

/** Room left in a message for its attributes, which SQS counts toward the size limit. */
const ATTRIBUTE_RESERVE_BYTES = 1024;

/** Where events come from and how to read them. */
export interface EventSource {
  readonly logGroup: string;
  readonly format: CompiledFormat;
}

/** What delivering a set of events did, event by event. */
export interface DeliveryResult {
  /** Events whose alert the queue accepted. */
  readonly sent: ReadonlyArray<{ readonly event: LogEvent; readonly alert: Alert }>;
  /** Header lines: no flow, nothing to send. */
  readonly headers: readonly LogEvent[];
  /** Events whose alert still failed after the publisher's retries. */
  readonly failed: ReadonlyArray<{ readonly event: LogEvent; readonly reason: string }>;
}

/**
 * The one path from log events to queue messages, shared by the poller and the subscription
 * handler: normalize each event, serialize it within the size limit, publish with the filtering
 * attributes (and FIFO ids), and report per event what was sent and what failed.
 */
export async function deliverEvents(
  source: EventSource,
  events: ReadonlyArray<LogEvent & { readonly unparsedReason?: string }>,
  publisher: AlertPublisher,
  maxMessageBytes: number,
): Promise<DeliveryResult> {
  const messages: OutboundMessage[] = [];
  const byId = new Map<string, { event: LogEvent; alert: Alert }>();
  const headers: LogEvent[] = [];
  for (const event of events) {
    const meta = {
      logGroup: source.logGroup,
      eventId: event.eventId,
      timestamp: event.timestamp,
      ...(event.ingestionTime !== undefined && { ingestionTime: event.ingestionTime }),
      ...(event.logStreamName !== undefined && { logStream: event.logStreamName }),
    };
    // A caller that already knows why a message cannot be read (a corrupt delivery) says so.
    const alert =
      event.unparsedReason === undefined
        ? messageToAlert(event.message, source.format, meta)
        : normalize(event.message, { kind: 'unparsed', reason: event.unparsedReason }, meta);
    if (alert === null) {
      headers.push(event);
      continue;
    }
    const id = String(messages.length);
    byId.set(id, { event, alert });
    messages.push({
      id,
      body: toMessageBody(alert, maxMessageBytes - ATTRIBUTE_RESERVE_BYTES),
      attributes: { severity: alert.severity, source: alert.source, record_format: alert.raw_event.record_format },
      groupId: fifoGroupId(alert.cloud_resource ?? source.logGroup),
      deduplicationId: alert.alert_id,
    });
  }
  if (messages.length === 0) return { sent: [], headers, failed: [] };
  const result = await publisher.publish(messages);
  const sent = result.sent.flatMap((id) => byId.get(id) ?? []);
  const failed = result.failed.flatMap(({ id, reason }) => {
    const entry = byId.get(id);
    return entry === undefined ? [] : [{ event: entry.event, reason }];
  });
  return { sent, headers, failed };
}

/**
 * A FIFO MessageGroupId: 1-128 printable ASCII characters. An ENI id always fits; a long log group
 * name or a JSON record's free-text interface id is replaced by its hash, because SQS would reject
 * the message on every retry and block the group's checkpoint.
 */
export function fifoGroupId(value: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(value) ? value : `sha256-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}
