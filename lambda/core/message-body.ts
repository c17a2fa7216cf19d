import { createHash } from 'node:crypto';
import type { Alert, AlertCore, RawEvent, TruncationReason } from './alert';

const MARKER = '…[truncated]';
/** Text fields other than the raw message are cut to this many characters when the alert is too big. */
const FIELD_CAP_CHARS = 256;
/** In a minimal alert a text field is kept only when it is printable ASCII of at most this length. */
const MINIMAL_FIELD_CHARS = 64;
/** Characters SQS refuses that `JSON.stringify` leaves unescaped (it escapes controls and lone surrogates). */
const SQS_REFUSED = /[\uFFFE\uFFFF]/g;
const ALERT_ID = /^[\x21-\x7e]{1,128}$/;
/** Printable ASCII without `"` and backslash, which JSON would escape: a kept value is never longer in the body. */
const PRINTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Core properties a minimal alert keeps (when their values fit). */
const CORE_KEYS: ReadonlyArray<keyof AlertCore> = [
  'schema_version', 'source', 'category', 'severity', 'alert_id', 'timestamp', 'action', 'log_status', 'src_ip', 'dst_ip',
  'src_port', 'dst_port', 'protocol', 'protocol_number', 'packets', 'bytes', 'start', 'end',
  'aws_account_id', 'cloud_resource', 'src_scope', 'dst_scope', 'direction', 'service',
];

/** Turns an alert into what is serialized: itself (the native contract), or another form (OCSF). */
export type Render = (alert: Alert) => unknown;

const NATIVE: Render = (alert) => alert;

/**
 * Serializes an alert into its queue message body: JSON that SQS accepts (every character outside
 * SQS's allowed set is a `\uXXXX` escape) of at most `maxBytes` UTF-8 bytes, in the form `render`
 * gives (the native contract by default). An oversize alert is cut step by step, mildest first:
 * `raw_event.message` (and `extra`), then every other text field, then a minimal alert;
 * `raw_event.truncated` and `truncation_reason` say so. Never throws; `maxBytes` must be at least
 * 2,048. The same alert always gives the same body.
 */
export function toMessageBody(alert: Alert, maxBytes: number, render: Render = NATIVE): string {
  try {
    const body = sqsJson(render(alert));
    if (body.length <= maxBytes / 3 || Buffer.byteLength(body) <= maxBytes) return body;
    return shrink(alert, maxBytes, 'message_too_large', render);
  } catch {
    // JSON.stringify throws RangeError for an `extra` nested thousands of levels deep.
    try {
      return shrink(alert, maxBytes, 'extra_unserializable', render);
    } catch {
      return minimalBody(alert, 'minimal', render);
    }
  }
}

/**
 * The smallest body that still says what happened: the same `alert_id`, the flow fields whose values
 * are short printable text or numbers, and the reason; no raw message. Always under 2,048 bytes.
 */
export function minimalBody(alert: Alert, reason: TruncationReason, render: Render = NATIVE): string {
  const out: Record<string, unknown> = {};
  for (const key of CORE_KEYS) {
    const value: unknown = alert[key];
    if (key === 'alert_id') out[key] = typeof value === 'string' && ALERT_ID.test(value) ? value : hashedId(String(value));
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (typeof value === 'string' && value.length <= MINIMAL_FIELD_CHARS && PRINTABLE.test(value)) out[key] = value;
    else out[key] = null;
  }
  const raw = alert.raw_event as Partial<RawEvent> | undefined;
  const message = typeof raw?.message === 'string' ? raw.message : '';
  out['raw_event'] = {
    message: '',
    record_format: 'unparsed',
    ...(typeof raw?.record_format === 'string' && PRINTABLE.test(raw.record_format) && raw.record_format.length <= 16 && { record_format: raw.record_format }),
    truncated: true,
    truncation_reason: reason,
    original_bytes: Buffer.byteLength(message),
  };
  return JSON.stringify(render(out as unknown as Alert));
}

function shrink(alert: Alert, maxBytes: number, firstReason: TruncationReason, render: Render): string {
  const message = alert.raw_event.message;
  const shell: Alert = {
    ...alert,
    raw_event: { ...alert.raw_event, message: '', truncated: true, original_bytes: Buffer.byteLength(message), truncation_reason: firstReason },
  };
  const room = Buffer.byteLength(JSON.stringify(MARKER));
  const fixedBytes = (): number | undefined => {
    try {
      return Buffer.byteLength(sqsJson(render(shell)));
    } catch {
      return undefined;
    }
  };
  let fixed = firstReason === 'extra_unserializable' ? undefined : fixedBytes();
  if ((fixed === undefined || fixed + room > maxBytes) && shell.extra !== undefined) {
    delete shell.extra;
    fixed = fixedBytes();
  }
  if (fixed === undefined || fixed + room > maxBytes) {
    capTextFields(shell);
    shell.raw_event.truncation_reason = 'fields_too_large';
    fixed = fixedBytes();
  }
  if (fixed === undefined || fixed + room > maxBytes) return minimalBody(alert, 'minimal', render);
  // JSON escaping can grow a character to 6 bytes, so the escaped size decides: the longest prefix
  // whose body fits, found by binary search over the message's length (never splitting a pair).
  const bodyWith = (length: number): string => {
    shell.raw_event.message = `${prefix(message, length)}${MARKER}`;
    return sqsJson(render(shell));
  };
  let low = 0;
  // Every character takes at least one byte: a longer prefix can never fit.
  let high = Math.min(message.length, maxBytes);
  let best = bodyWith(0);
  if (Buffer.byteLength(best) > maxBytes) return minimalBody(alert, 'minimal', render);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const candidate = bodyWith(mid);
    if (Buffer.byteLength(candidate) <= maxBytes) {
      low = mid;
      best = candidate;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

/** The first `length` UTF-16 units of `text`, one fewer when that would split a surrogate pair. */
function prefix(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/** Cuts every text field but `alert_id` and the raw message to FIELD_CAP_CHARS. */
function capTextFields(shell: Alert): void {
  const target = shell as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    const value = target[key];
    if (key !== 'alert_id' && typeof value === 'string' && value.length > FIELD_CAP_CHARS) target[key] = `${value.slice(0, FIELD_CAP_CHARS)}${MARKER}`;
  }
  if (shell.tcp_flag_names !== undefined && shell.tcp_flag_names.length > 8) shell.tcp_flag_names = shell.tcp_flag_names.slice(0, 8);
  const raw = shell.raw_event as unknown as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (key !== 'message' && typeof value === 'string' && value.length > FIELD_CAP_CHARS) raw[key] = `${value.slice(0, FIELD_CAP_CHARS)}${MARKER}`;
  }
}

/** JSON with U+FFFE and U+FFFF escaped; everything else SQS refuses, JSON.stringify already escapes. */
function sqsJson(value: unknown): string {
  const json = JSON.stringify(value);
  // indexOf is far cheaper than a regex on every body, and almost no body holds either character.
  if (json.indexOf('\uFFFF') === -1 && json.indexOf('\uFFFE') === -1) return json;
  return json.replace(SQS_REFUSED, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function hashedId(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
}
