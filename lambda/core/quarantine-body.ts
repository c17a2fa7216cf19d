import type { EventMeta } from './alert';
import { isoFromMillis } from './iso-time';

/** Raw bytes kept in a quarantine message: base64 of 180,000 bytes is 240,000 characters, under 256 KiB. */
const MAX_RAW_BYTES = 180_000;
const TEXT_CAP = 256;

/** What the quarantine queue receives for a record the alert queue refused even in minimal form. */
export interface QuarantineMessage {
  readonly kind: 'vpc-flow-alerts/quarantined';
  readonly alert_id: string;
  /** The queue's answer to the full and to the minimal alert. */
  readonly reason: string;
  readonly log_group: string | null;
  readonly log_stream: string | null;
  readonly event_id: string | null;
  readonly event_time: string | null;
  /** The raw message's UTF-8 bytes, base64 (at most 180,000 bytes of it; see `message_truncated`). */
  readonly message_base64: string;
  readonly message_bytes: number;
  readonly message_truncated: boolean;
}

/**
 * The quarantine queue's message for a refused record: ASCII-only JSON (text escaped, the raw message
 * as base64), so SQS cannot refuse it for its contents, and under 256 KiB whatever the record holds.
 */
export function toQuarantineBody(alertId: string, reason: string, message: string, meta: EventMeta): string {
  const bytes = Buffer.from(message, 'utf8');
  const body: QuarantineMessage = {
    kind: 'vpc-flow-alerts/quarantined',
    alert_id: alertId,
    reason: cap(reason),
    log_group: meta.logGroup === undefined ? null : cap(meta.logGroup),
    log_stream: meta.logStream === undefined ? null : cap(meta.logStream),
    event_id: meta.eventId === undefined ? null : cap(meta.eventId),
    event_time: isoFromMillis(meta.timestamp),
    message_base64: bytes.subarray(0, MAX_RAW_BYTES).toString('base64'),
    message_bytes: bytes.length,
    message_truncated: bytes.length > MAX_RAW_BYTES,
  };
  return asciiJson(body);
}

function cap(text: string): string {
  return text.length > TEXT_CAP ? `${text.slice(0, TEXT_CAP)}…` : text;
}

/** JSON with every non-ASCII character escaped. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
