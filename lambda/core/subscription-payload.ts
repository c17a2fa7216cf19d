import { gunzipSync } from 'node:zlib';

/** One log event as a CloudWatch Logs subscription delivers it. */
export interface SubscriptionLogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** A decoded subscription delivery. */
export type SubscriptionPayload =
  | {
      readonly messageType: 'DATA_MESSAGE';
      readonly owner: string;
      readonly logGroup: string;
      readonly logStream: string;
      readonly subscriptionFilters: readonly string[];
      readonly logEvents: readonly SubscriptionLogEvent[];
    }
  /** CloudWatch Logs checks that the destination is reachable; it carries no records. */
  | { readonly messageType: 'CONTROL_MESSAGE' };

/** Why a delivery could not be decoded; carried, never thrown. */
export class CorruptPayload {
  public constructor(public readonly reason: string) {}
}

/**
 * Largest decompressed delivery accepted. AWS documents no delivery size, but a delivery reaches the
 * function as at most 1 MB of gzip (Lambda's asynchronous payload, a Kinesis record's default maximum),
 * and flow-log deliveries compress 8-12x: 16 MiB holds any real one with room to spare, while a
 * decompression bomb stops here. Parsing 16 MiB of JSON stays far below 512 MB of memory.
 */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
/**
 * Most events in one delivery: a 1 MB gzip of flow-log events (about 20 compressed bytes an event,
 * ids and timestamps being near-identical) holds about 50,000. More is not a CloudWatch Logs delivery.
 */
export const MAX_DELIVERY_EVENTS = 50_000;

/**
 * Decodes a subscription delivery: base64 of a gzip of JSON (the `awslogs.data` of a direct Lambda
 * subscription, or the `kinesis.data` of a Kinesis record). Never throws.
 */
export function decodeSubscriptionPayload(data: string | Uint8Array): SubscriptionPayload | CorruptPayload {
  let json: unknown;
  try {
    const compressed = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data);
    const inflated = gunzipSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
    json = JSON.parse(inflated.toString('utf8'));
  } catch (error) {
    return new CorruptPayload(`not base64 gzip JSON of at most ${MAX_INFLATED_BYTES} bytes: ${clip(error instanceof Error ? error.message : String(error))}`);
  }
  if (typeof json !== 'object' || json === null) return new CorruptPayload('payload is not a JSON object');
  const payload = json as Record<string, unknown>;
  if (payload['messageType'] === 'CONTROL_MESSAGE') return { messageType: 'CONTROL_MESSAGE' };
  if (payload['messageType'] !== 'DATA_MESSAGE') return new CorruptPayload(`unknown messageType ${clip(JSON.stringify(payload['messageType']) ?? 'undefined')}`);
  const logGroup = payload['logGroup'];
  const logStream = payload['logStream'];
  const logEvents = payload['logEvents'];
  if (typeof logGroup !== 'string' || typeof logStream !== 'string' || !Array.isArray(logEvents)) {
    return new CorruptPayload('DATA_MESSAGE lacks logGroup, logStream or logEvents');
  }
  if (logEvents.length > MAX_DELIVERY_EVENTS) {
    return new CorruptPayload(`${logEvents.length} log events, more than the ${MAX_DELIVERY_EVENTS} a CloudWatch Logs delivery holds`);
  }
  const events: SubscriptionLogEvent[] = [];
  for (const item of logEvents as unknown[]) {
    const event = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const id = event['id'];
    const timestamp = event['timestamp'];
    const message = event['message'];
    if (typeof id !== 'string' || typeof timestamp !== 'number' || typeof message !== 'string') {
      return new CorruptPayload(`log event ${events.length} lacks id, timestamp or message`);
    }
    events.push({ id, timestamp, message });
  }
  const filters = payload['subscriptionFilters'];
  return {
    messageType: 'DATA_MESSAGE',
    owner: typeof payload['owner'] === 'string' ? payload['owner'] : '',
    logGroup,
    logStream,
    subscriptionFilters: Array.isArray(filters) ? filters.filter((f): f is string => typeof f === 'string') : [],
    logEvents: events,
  };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
