import { gzipSync } from 'node:zlib';
import { CorruptPayload, decodeSubscriptionPayload, MAX_DELIVERY_EVENTS, MAX_INFLATED_BYTES } from '../../lambda/core/subscription-payload';
import { CONTROL_MESSAGE, dataMessage, encodeDelivery } from '../helpers/subscription';

const LINE = '2 123456789012 eni-0a1 198.51.100.7 10.0.0.5 40000 22 6 1 40 1700000000 1700000060 REJECT OK';

describe('decodeSubscriptionPayload', () => {
  it('decodes a DATA_MESSAGE with its group, stream and events', () => {
    expect(decodeSubscriptionPayload(dataMessage('/aws/vpc/flowlogs', 'eni-0a1-all', [LINE, LINE]))).toEqual({
      messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/aws/vpc/flowlogs', logStream: 'eni-0a1-all', subscriptionFilters: ['vpc-flow-alerts'],
      logEvents: [{ id: 'e-0', timestamp: 1_700_000_000_000, message: LINE }, { id: 'e-1', timestamp: 1_700_000_000_001, message: LINE }],
    });
  });

  it('decodes raw bytes as a Kinesis record carries them, and large deliveries', () => {
    const messages = Array.from({ length: 10_000 }, () => LINE);
    const decoded = decodeSubscriptionPayload(Buffer.from(dataMessage('g', 's', messages), 'base64'));
    expect(decoded).toMatchObject({ messageType: 'DATA_MESSAGE' });
    expect(!(decoded instanceof CorruptPayload) && decoded.messageType === 'DATA_MESSAGE' && decoded.logEvents).toHaveLength(10_000);
  });

  it('recognizes a CONTROL_MESSAGE', () => {
    expect(decodeSubscriptionPayload(CONTROL_MESSAGE)).toEqual({ messageType: 'CONTROL_MESSAGE' });
  });

  it.each([
    ['not base64 gzip', 'this is not a delivery', /not base64 gzip JSON/],
    ['gzip of text', gzipSync('hello').toString('base64'), /not base64 gzip JSON/],
    ['a truncated gzip', dataMessage('g', 's', [LINE]).slice(0, 40), /not base64 gzip JSON/],
    ['a JSON array', encodeDelivery([1, 2]), /unknown messageType/],
    ['an unknown message type', encodeDelivery({ messageType: 'OTHER' }), /unknown messageType "OTHER"/],
    ['missing fields', encodeDelivery({ messageType: 'DATA_MESSAGE', logGroup: 'g' }), /lacks logGroup, logStream or logEvents/],
    ['a bad event', encodeDelivery({ messageType: 'DATA_MESSAGE', logGroup: 'g', logStream: 's', logEvents: [{ id: 1 }] }), /log event 0 lacks id/],
  ])('reports %s as corrupt, never throwing', (_name, data, reason) => {
    const decoded = decodeSubscriptionPayload(data);
    expect(decoded).toBeInstanceOf(CorruptPayload);
    expect((decoded as CorruptPayload).reason).toMatch(reason);
  });

  it('stops decompressing at MAX_INFLATED_BYTES: a valid delivery padded past it is refused for its size', () => {
    const padded = `${JSON.stringify({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: 'g', logStream: 's', subscriptionFilters: [], logEvents: [] })}${' '.repeat(MAX_INFLATED_BYTES)}`;
    // Valid JSON: only the cap can refuse it.
    expect(JSON.parse(padded)).toMatchObject({ messageType: 'DATA_MESSAGE' });
    const decoded = decodeSubscriptionPayload(gzipSync(padded).toString('base64'));
    expect(decoded).toBeInstanceOf(CorruptPayload);
    expect((decoded as CorruptPayload).reason).toMatch(/at most 16777216 bytes/);
    const justUnder = decodeSubscriptionPayload(gzipSync(padded.slice(0, MAX_INFLATED_BYTES)).toString('base64'));
    expect(justUnder).toMatchObject({ messageType: 'DATA_MESSAGE' });
  });

  it('refuses more events than a CloudWatch Logs delivery holds, and keeps a hostile messageType out of the reason', () => {
    const many = encodeDelivery({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: 'g', logStream: 's', logEvents: Array.from({ length: MAX_DELIVERY_EVENTS + 1 }, (_, i) => ({ id: String(i), timestamp: 1, message: '' })) });
    expect((decodeSubscriptionPayload(many) as CorruptPayload).reason).toBe(`${MAX_DELIVERY_EVENTS + 1} log events, more than the ${MAX_DELIVERY_EVENTS} a CloudWatch Logs delivery holds`);
    const odd = decodeSubscriptionPayload(encodeDelivery({ messageType: 'x'.repeat(400_000) }));
    expect((odd as CorruptPayload).reason.length).toBeLessThan(120);
  });
});
