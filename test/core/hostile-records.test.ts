/**
 * Hostile input is normal input: every record below was seen to block a log group or break the
 * contract before. Each must become a valid alert body that SQS accepts, within the size limit.
 */
import fc from 'fast-check';
import { compileFormat } from '../../lambda/core/log-format';
import { minimalBody, toMessageBody } from '../../lambda/core/message-body';
import { messageToAlert } from '../../lambda/core/normalize';
import { parseMessage } from '../../lambda/core/record-parser';
import { expectValidAlert } from '../helpers/alert-schema';

const v2 = compileFormat();
const LINE = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const LIMIT = 262_144 - 1024;

/** What SQS accepts in a message body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
const SQS_ALLOWED = /^(?:[\t\n\r\x20-\uD7FF\uE000-\uFFFD]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

function bodyOf(message: string, eventId = 'e-1', limit = LIMIT): Record<string, unknown> {
  const alert = messageToAlert(message, v2, { eventId, logGroup: '/aws/vpc/flowlogs', timestamp: 1_700_000_000_000 });
  if (alert === null) throw new Error('header');
  const body = toMessageBody(alert, limit);
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit);
  expect(SQS_ALLOWED.test(body)).toBe(true);
  const parsed = JSON.parse(body) as Record<string, unknown>;
  expectValidAlert(parsed);
  return parsed;
}

describe('records that used to block a log group', () => {
  it('escapes U+FFFF and U+FFFE, which SQS refuses, and lone surrogates', () => {
    const body = bodyOf(`{"srcaddr":"10.0.0.1","note":"a\uFFFFb\uFFFEc\uD800d"}`);
    expect(body['extra']).toEqual({ note: 'a\uFFFFb\uFFFEc\uD800d' });
    const alert = messageToAlert(`x\uFFFF`, v2, { eventId: 'e' });
    expect(toMessageBody(alert!, LIMIT)).toContain('\\uffff');
  });

  it('drops an extra nested 5,000 levels deep, which JSON.stringify cannot write, and says why', () => {
    const deep = `{"srcaddr":"10.0.0.1","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const alert = messageToAlert(deep, v2, { eventId: 'e-deep' });
    expect(() => JSON.stringify(alert)).toThrow(RangeError);
    const body = bodyOf(deep, 'e-deep');
    expect(body['extra']).toBeUndefined();
    expect(body['src_ip']).toBe('10.0.0.1');
    expect(body['raw_event']).toMatchObject({ truncated: true, truncation_reason: 'extra_unserializable' });
  });

  it('cuts a 300,000-character srcaddr to fit', () => {
    const message = JSON.stringify({ srcaddr: 'a'.repeat(300_000), action: 'REJECT' });
    const body = bodyOf(message);
    expect(String(body['src_ip']).length).toBeLessThan(300);
    expect(body['action']).toBe('REJECT');
    expect(body['raw_event']).toMatchObject({ truncated: true, truncation_reason: 'fields_too_large', original_bytes: Buffer.byteLength(message) });
  });

  it('keeps a 180 KB line of control characters (1 MB once escaped) under the limit', () => {
    const body = bodyOf('\u0001'.repeat(180_000), 'e-ctl', 262_144 - 1024);
    expect(body['raw_event']).toMatchObject({ record_format: 'unparsed', truncated: true, original_bytes: 180_000 });
  });

  it('never throws and always fits, for any message and limit', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 3000 }), fc.json({ maxDepth: 6 }), fc.string({ unit: 'grapheme', maxLength: 500 })),
        fc.integer({ min: 2048, max: 6000 }),
        (message, limit) => {
          bodyOf(message, 'e-prop', limit);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('minimalBody', () => {
  it('keeps the alert_id and the short printable fields, drops long or odd ones, and stays under 2,048 bytes', () => {
    const alert = messageToAlert(JSON.stringify({ srcaddr: '"'.repeat(64), dstaddr: '10.0.0.2', 'interface-id': 'x'.repeat(65), action: 'REJECT', dstport: 22 }), v2, { eventId: 'e-min' })!;
    const body = minimalBody(alert, 'refused_by_queue');
    expect(Buffer.byteLength(body)).toBeLessThan(2048);
    const parsed = JSON.parse(body);
    expectValidAlert(parsed);
    expect(parsed).toMatchObject({ alert_id: 'e-min', src_ip: null, dst_ip: '10.0.0.2', cloud_resource: null, action: 'REJECT', dst_port: 22 });
    expect(parsed.raw_event).toMatchObject({ message: '', truncated: true, truncation_reason: 'refused_by_queue', record_format: 'json' });
  });

  it('is under 2,048 bytes for the worst values a record can carry', () => {
    const worst = Object.fromEntries(['srcaddr', 'dstaddr', 'interface-id', 'account-id', 'action', 'log-status'].map((k) => [k, '~'.repeat(64)]));
    const alert = messageToAlert(JSON.stringify({ ...worst, srcport: 65535, dstport: 65535, protocol: 255, packets: 9007199254740991, bytes: 9007199254740991, start: 9007199254740991, end: 9007199254740991 }), v2, { eventId: '!'.repeat(128) })!;
    expect(Buffer.byteLength(minimalBody(alert, 'minimal'))).toBeLessThan(2048);
  });
});

describe('alert_id', () => {
  it('is the event id when it is 1-128 printable ASCII characters, else a stable hash', () => {
    expect(bodyOf(LINE, '37'.repeat(28))['alert_id']).toBe('37'.repeat(28));
    for (const odd of ['', 'x'.repeat(129), 'id with spaces', 'ïd', 'a\u0000b']) {
      const id = bodyOf(LINE, odd)['alert_id'];
      expect(id).toMatch(/^sha256:[0-9a-f]{32}$/);
      expect(bodyOf(LINE, odd)['alert_id']).toBe(id);
    }
    expect(bodyOf(LINE, 'a b')['alert_id']).not.toBe(bodyOf(LINE, 'a  b')['alert_id']);
  });
});

describe('timestamps', () => {
  it('are null past the year 9999 instead of a 6-digit year', () => {
    const line = '2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 9999999999999 9999999999999 REJECT OK';
    expect(bodyOf(line)['timestamp']).toBe('2286-11-20T17:46:39.999Z');
    const far = messageToAlert(JSON.stringify({ srcaddr: '10.0.0.1', start: Number.MAX_SAFE_INTEGER }), v2, { eventId: 'e', timestamp: 8.64e15 });
    expect(far?.timestamp).toBeNull();
    expect(far?.raw_event.event_time).toBeUndefined();
    expectValidAlert(JSON.parse(toMessageBody(far!, LIMIT)));
  });
});

describe('line noise', () => {
  it('strips a leading byte-order mark and a trailing CR before parsing, and keeps the raw message', () => {
    const outcome = parseMessage(`\uFEFF${LINE}\r`, v2);
    expect(outcome).toMatchObject({ kind: 'record', recordFormat: 'v2', record: { action: 'REJECT', log_status: 'OK' } });
    expect(bodyOf(`\uFEFF${LINE}\r`)['raw_event']).toMatchObject({ message: `\uFEFF${LINE}\r` });
  });

  it('treats a tab as a separator on the fast and the slow path', () => {
    const tabbed = LINE.replace(' eni-', '\teni-');
    expect(parseMessage(tabbed, v2)).toMatchObject({ kind: 'record', record: { cloud_resource: 'eni-1235b8ca123456789' } });
    // As many space-separated tokens as fields, one of them holding a tab: 15 fields, not a record.
    const hidden = `${LINE.replace('REJECT', 'REJECT\tX')}`;
    expect(parseMessage(hidden, v2)).toMatchObject({ kind: 'unparsed', reason: 'expected 14 fields, found 15' });
  });

  it('keeps a JSON key "__proto__" in extra like any other key', () => {
    const outcome = parseMessage('{"srcaddr":"10.0.0.1","__proto__":{"polluted":true}}', v2);
    expect(outcome.kind).toBe('record');
    const extra = outcome.kind === 'record' ? outcome.extra : undefined;
    expect(Object.keys(extra ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(extra))).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('cutting a message that escapes to several bytes a character', () => {
  it.each([
    ['quotes', '"'.repeat(300_000)],
    ['escaped quotes', '\\"'.repeat(150_000)],
    ['text then control characters', `${'GOOD '.repeat(200)}${'\u0000'.repeat(200_000)}`],
  ])('keeps the longest prefix that fits: %s', (_name, message) => {
    const alert = messageToAlert(message, v2, { eventId: 'e-esc' })!;
    const body = toMessageBody(alert, LIMIT);
    const size = Buffer.byteLength(body);
    expect(size).toBeLessThanOrEqual(LIMIT);
    // Within one escaped character (6 bytes) of the limit: nothing that fits was thrown away.
    expect(size).toBeGreaterThan(LIMIT - 7);
    const kept = (JSON.parse(body) as { raw_event: { message: string } }).raw_event.message.slice(0, -'…[truncated]'.length);
    expect(message.startsWith(kept)).toBe(true);
    expect(kept.length).toBeGreaterThan(30_000);
  });
});
