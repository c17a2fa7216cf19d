import type { Alert } from './alert';

/** SQS's largest message and batch (1 MiB); a queue's own MaximumMessageSize may be lower. */
export const SQS_MAX_BYTES = 1_048_576;
const MARKER = '…[truncated]';

/**
 * Serializes an alert into its queue message body, at most `maxBytes` UTF-8 bytes. An oversize
 * alert keeps every field; only `raw_event.message` is cut (and then `extra`, which repeats it),
 * with `raw_event.truncated` and `raw_event.original_bytes` saying so. Never drops the alert.
 */
export function toMessageBody(alert: Alert, maxBytes: number): string {
  const body = JSON.stringify(alert);
  if (body.length <= maxBytes / 3 || Buffer.byteLength(body) <= maxBytes) return body;

  const message = alert.raw_event.message;
  const originalBytes = Buffer.byteLength(message);
  const shell: Alert = { ...alert, raw_event: { ...alert.raw_event, message: '', truncated: true, original_bytes: originalBytes } };
  let fixed = Buffer.byteLength(JSON.stringify(shell));
  if (fixed + MARKER.length * 3 > maxBytes && shell.extra !== undefined) {
    delete shell.extra;
    fixed = Buffer.byteLength(JSON.stringify(shell));
  }
  // JSON escaping can grow a character to 6 bytes; shrink until the body fits.
  let room = maxBytes - fixed - Buffer.byteLength(JSON.stringify(MARKER)) + 2;
  for (;;) {
    const cut = room <= 0 ? '' : cutUtf8(message, room);
    shell.raw_event.message = `${cut}${MARKER}`;
    const candidate = JSON.stringify(shell);
    const size = Buffer.byteLength(candidate);
    if (size <= maxBytes || cut === '') return candidate;
    room -= size - maxBytes;
  }
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes that does not split a character. */
function cutUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) as number;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += code >= 0x10000 ? 2 : 1;
  }
  return text.slice(0, i);
}

/**
 * Groups message sizes into SendMessageBatch calls: at most `maxEntries` (10) entries and
 * `maxBatchBytes` in all. Returns index ranges `[start, end)` over `sizes`, in order.
 */
export function planBatches(sizes: readonly number[], maxBatchBytes: number, maxEntries = 10): Array<[number, number]> {
  const batches: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] as number;
    if (i > start && (i - start === maxEntries || bytes + size > maxBatchBytes)) {
      batches.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < sizes.length) batches.push([start, sizes.length]);
  return batches;
}
