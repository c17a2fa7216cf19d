import { deliverEvents, fifoGroupId } from '../../lambda/app/deliver-events';
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

describe('deliverEvents', () => {
  it('gives every message a valid FIFO group, even for a JSON record with a free-text interface id', async () => {
    const queue = new FakeQueue();
    const events = [{ eventId: 'e1', timestamp: 1, message: JSON.stringify({ 'interface-id': 'not an ENI ✓', action: 'REJECT' }) }];
    const result = await deliverEvents({ logGroup: '/aws/vpc/flowlogs', format: compileFormat() }, events, queue, 262_144);
    expect(result.sent).toHaveLength(1);
    expect(queue.received[0]?.groupId).toMatch(/^sha256-[0-9a-f]{40}$/);
    expect(queue.received[0]?.deduplicationId).toBe('e1');
  });
});
