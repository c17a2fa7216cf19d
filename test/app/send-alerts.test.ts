import { DELIVERY_CHUNK_EVENTS, sendAlerts, fifoGroupId } from '../../lambda/app/send-alerts';
import { compileFormat } from '../../lambda/core/log-format';
import { FakeQueue } from '../helpers/fakes';

describe('fifoGroupId', () => {
  it('keeps an ENI id and replaces what SQS would reject with a stable hash', () => {
    expect(fifoGroupId('eni-0a1b2c3d4e5f6a7b8')).toBe('eni-0a1b2c3d4e5f6a7b8');
    const long = `/aws/vpc/${'x'.repeat(200)}`;
    expect(fifoGroupId(long)).toMatch(/^sha256-[0-9a-f]{40}$/);
    expect(fifoGroupId(long)).toBe(fifoGroupId(long));
    expect(fifoGroupId('eni with spaces')).toMatch(/^sha256-/);
    expect(fifoGroupId('')).toMatch(/^sha256-/);
  });
});

describe('sendAlerts', () => {
  it('gives every message a valid FIFO group, even for a JSON record with a free-text interface id', async () => {
    const queue = new FakeQueue();
    const events = [{ eventId: 'e1', timestamp: 1, message: JSON.stringify({ 'interface-id': 'not an ENI ✓', action: 'REJECT' }) }];
    const result = await sendAlerts({ logGroup: '/aws/vpc/flowlogs', format: compileFormat() }, events, { publisher: queue, maxMessageBytes: 262_144 });
    expect(result.sent).toHaveLength(1);
    expect(queue.received[0]?.groupId).toMatch(/^sha256-[0-9a-f]{40}$/);
    expect(queue.received[0]?.deduplicationId).toBe('e1');
  });
});

describe('sendAlerts chunks and refusals', () => {
  const format = compileFormat();
  const line = (i: number) => `2 123456789012 eni-0a1 198.51.100.${i % 250} 10.0.0.5 ${1024 + i} 22 6 1 40 1700000000 1700000060 REJECT OK`;

  it('normalizes and sends at most DELIVERY_CHUNK_EVENTS at a time', async () => {
    const queue = new FakeQueue();
    const sizes: number[] = [];
    const publish = queue.publish.bind(queue);
    queue.publish = async (messages) => {
      sizes.push(messages.length);
      return publish(messages);
    };
    const events = Array.from({ length: DELIVERY_CHUNK_EVENTS * 2 + 10 }, (_, i) => ({ eventId: `e${i}`, timestamp: 1, message: line(i) }));
    const result = await sendAlerts({ logGroup: 'g', format }, events, { publisher: queue, maxMessageBytes: 262_144 });
    expect(sizes).toEqual([DELIVERY_CHUNK_EVENTS, DELIVERY_CHUNK_EVENTS, 10]);
    expect(result.sent).toHaveLength(events.length);
  });

  it('reports a record refused in both forms as a permanent failure when there is no quarantine queue', async () => {
    const queue = new FakeQueue();
    queue.refuseWhen = (m) => m.deduplicationId === 'e1';
    const events = [0, 1, 2].map((i) => ({ eventId: `e${i}`, timestamp: 1, message: line(i) }));
    const result = await sendAlerts({ logGroup: 'g', format }, events, { publisher: queue, maxMessageBytes: 262_144 });
    expect(result.sent.map((s) => s.event.eventId)).toEqual(['e0', 'e2']);
    expect(result.failed).toEqual([{ event: events[1], reason: 'InvalidMessageContents; minimal form: InvalidMessageContents', permanent: true }]);
  });
});
