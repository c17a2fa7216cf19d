import fc from 'fast-check';
import { compileFormat } from '../../lambda/core/log-format';
import { planBatches } from '../../lambda/adapters/sqs-publisher';
import { toMessageBody } from '../../lambda/core/message-body';
import { messageToAlert } from '../../lambda/core/normalize';
import { expectValidAlert } from '../helpers/alert-schema';

const alertOf = (message: string) => {
  const alert = messageToAlert(message, compileFormat(), { eventId: 'e1', logGroup: '/aws/vpc/flowlogs' });
  if (alert === null) throw new Error('header');
  return alert;
};

describe('toMessageBody', () => {
  it('is the alert JSON when it fits', () => {
    const alert = alertOf('2 1 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1 2 REJECT OK');
    expect(toMessageBody(alert, 262_144)).toBe(JSON.stringify(alert));
  });

  it('cuts only raw_event.message of an oversize alert, marks it, and stays within the limit', () => {
    fc.assert(
      // Every text is longer than every limit: each case is cut, so each assertion below runs.
      fc.property(fc.string({ unit: 'binary', minLength: 3100, maxLength: 4000 }), fc.integer({ min: 2048, max: 3000 }), (text, limit) => {
        const alert = alertOf(`{"srcaddr":"10.0.0.1","note":${JSON.stringify(text.slice(0, 10))}} ${text}`);
        const body = toMessageBody(alert, limit);
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit);
        const parsed = JSON.parse(body);
        expectValidAlert(parsed);
        expect(parsed.alert_id).toBe('e1');
        expect(parsed.raw_event).toMatchObject({ truncated: true, truncation_reason: 'message_too_large', original_bytes: Buffer.byteLength(alert.raw_event.message) });
        expect(parsed.raw_event.message.endsWith('…[truncated]')).toBe(true);
        expect(alert.raw_event.message.startsWith(parsed.raw_event.message.slice(0, -'…[truncated]'.length))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves an alert that fits exactly as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }).filter((t) => !/[\uFFFE\uFFFF]/.test(t)), (text) => {
        const alert = alertOf(`${text}`);
        expect(toMessageBody(alert, 262_144)).toBe(JSON.stringify(alert));
      }),
      { numRuns: 200 },
    );
  });

  it('drops extra, which repeats the raw message, when even the rest is too big', () => {
    const big = 'x'.repeat(5000);
    const alert = messageToAlert(JSON.stringify({ srcaddr: '10.0.0.1', blob: big }), compileFormat(), { eventId: 'e2' });
    const body = JSON.parse(toMessageBody(alert!, 2000));
    expect(body.extra).toBeUndefined();
    expect(body.src_ip).toBe('10.0.0.1');
    expect(body.raw_event.truncated).toBe(true);
  });
});

describe('planBatches', () => {
  it('never exceeds 10 entries or the byte limit, and keeps every message in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 200 }), (sizes) => {
        const batches = planBatches(sizes, 1000);
        expect(batches.flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => s + k))).toEqual(sizes.map((_, i) => i));
        for (const [s, e] of batches) {
          expect(e - s).toBeLessThanOrEqual(10);
          expect(sizes.slice(s, e).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000);
        }
      }),
    );
  });

  it('uses the minimum number of calls for small messages', () => {
    expect(planBatches(new Array(25).fill(100), 1_048_576)).toEqual([[0, 10], [10, 20], [20, 25]]);
  });
});
