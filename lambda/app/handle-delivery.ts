import { createHash } from 'node:crypto';
import type { CompiledFormat } from '../core/log-format';
import { CorruptPayload, decodeSubscriptionPayload } from '../core/subscription-payload';
import { deliverEvents } from './deliver-events';
import type { AlertPublisher, LogEvent } from './ports';

/** What the subscription handler needs. */
export interface DeliveryDeps {
  /** Layouts of the subscribed log groups by name. */
  readonly formats: ReadonlyMap<string, CompiledFormat>;
  /** Layout for a group not in `formats` (a subscription added by hand). */
  readonly defaultFormat: CompiledFormat;
  readonly publisher: AlertPublisher;
  readonly maxMessageBytes: number;
  /** Current time, epoch ms: the event time of a corrupt delivery, which has none of its own. */
  readonly now: () => number;
}

/** The outcome of one delivery, for logs and metrics. */
export interface DeliveryStats {
  readonly kind: 'data' | 'control' | 'corrupt';
  readonly logGroup?: string;
  readonly recordsRead: number;
  readonly alertsSent: number;
  readonly headersSkipped: number;
  readonly unparsedRecords: number;
  readonly sendFailures: number;
  readonly bySeverity: Readonly<Record<string, number>>;
  /** Why a corrupt delivery could not be decoded. */
  readonly reason?: string;
  /** True when the group was not configured and the default layout was used. */
  readonly unknownGroup?: boolean;
}

/**
 * Handles one CloudWatch Logs subscription delivery (base64 gzip JSON): DATA_MESSAGE records go
 * through the same path as polled ones; a CONTROL_MESSAGE is acknowledged; a delivery that cannot
 * be decoded is sent as one unparsed alert carrying its raw data, so a poisoned record is seen and
 * never blocks a shard. `id` identifies the delivery (a Kinesis sequence number) for the alert id.
 */
export async function handleDelivery(data: string, deps: DeliveryDeps, id?: string): Promise<DeliveryStats> {
  const payload = decodeSubscriptionPayload(data);
  if (payload instanceof CorruptPayload) {
    const eventId = `delivery:${id ?? createHash('sha256').update(data).digest('hex').slice(0, 32)}`;
    const event = { eventId, timestamp: deps.now(), message: data, unparsedReason: `corrupt subscription delivery: ${payload.reason}` };
    const result = await deliverEvents({ logGroup: 'unknown', format: deps.defaultFormat }, [event], deps.publisher, deps.maxMessageBytes);
    return {
      kind: 'corrupt', reason: payload.reason, recordsRead: 1, alertsSent: result.sent.length, headersSkipped: 0,
      unparsedRecords: result.sent.length, sendFailures: result.failed.length, bySeverity: result.sent.length > 0 ? { low: result.sent.length } : {},
    };
  }
  if (payload.messageType === 'CONTROL_MESSAGE') {
    return { kind: 'control', recordsRead: 0, alertsSent: 0, headersSkipped: 0, unparsedRecords: 0, sendFailures: 0, bySeverity: {} };
  }
  const format = deps.formats.get(payload.logGroup);
  const events: LogEvent[] = payload.logEvents.map((e) => ({ eventId: e.id, timestamp: e.timestamp, message: e.message, logStreamName: payload.logStream }));
  const result = await deliverEvents({ logGroup: payload.logGroup, format: format ?? deps.defaultFormat }, events, deps.publisher, deps.maxMessageBytes);
  const bySeverity: Record<string, number> = {};
  for (const { alert } of result.sent) bySeverity[alert.severity] = (bySeverity[alert.severity] ?? 0) + 1;
  return {
    kind: 'data',
    logGroup: payload.logGroup,
    recordsRead: events.length,
    alertsSent: result.sent.length,
    headersSkipped: result.headers.length,
    unparsedRecords: result.sent.filter((s) => s.alert.raw_event.record_format === 'unparsed').length,
    sendFailures: result.failed.length,
    bySeverity,
    ...(format === undefined && { unknownGroup: true }),
  };
}
