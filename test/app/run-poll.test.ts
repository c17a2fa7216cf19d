import type { PollDeps } from '../../lambda/app/poll-log-group';
import { runPoll } from '../../lambda/app/run-poll';
import { compileFormat } from '../../lambda/core/log-format';
import { Clock, FakeCheckpoints, FakeLogSource, FakeQueue } from '../helpers/fakes';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const line = (i: number, at: number) => `2 123456789012 eni-0a1 198.51.100.${i} 10.0.0.5 40000 22 6 1 40 ${Math.floor(at / 1000)} ${Math.floor(at / 1000) + 60} REJECT OK`;

describe('runPoll', () => {
  it('shares a budget smaller than the number of groups so that every group is read over successive runs', async () => {
    const clock = new Clock(T0);
    const source = new FakeLogSource(clock);
    const queue = new FakeQueue();
    const deps: PollDeps = {
      source, publisher: queue, checkpoints: new FakeCheckpoints(), now: clock.now, outOfTime: () => false,
      runId: 'run-a', leaseUntil: () => clock.ms + 4 * MIN,
      settings: { lookbackMs: 15 * MIN, maxCatchUpMs: 24 * 60 * MIN, maxMessageBytes: 262_144 },
    };
    // One fake source serves both groups the same events; each group's alerts carry its name.
    const ids = [1, 2, 3].map((i) => source.add(line(i, T0 - MIN), T0 - MIN).eventId);
    const targets = ['a', 'b'].map((name) => ({ name, format: compileFormat(), filterPattern: '' }));
    for (let run = 0; run < 8; run++) {
      clock.advance(5 * MIN);
      await runPoll(targets, deps, 1);
    }
    const byGroup = (group: string) => queue.received.filter((m) => (JSON.parse(m.body) as { raw_event: { log_group: string } }).raw_event.log_group === group);
    expect(byGroup('a').map((m) => m.deduplicationId).sort()).toEqual([...ids].sort());
    expect(byGroup('b').map((m) => m.deduplicationId).sort()).toEqual([...ids].sort());
  });

  it('gives the budget a group left unused to the groups that were capped, and reports their stats merged', async () => {
    const clock = new Clock(T0);
    const source = new FakeLogSource(clock);
    const queue = new FakeQueue();
    const deps: PollDeps = {
      source, publisher: queue, checkpoints: new FakeCheckpoints(), now: clock.now, outOfTime: () => false,
      runId: 'run-a', leaseUntil: () => clock.ms + 4 * MIN,
      settings: { lookbackMs: 15 * MIN, maxCatchUpMs: 24 * 60 * MIN, maxMessageBytes: 262_144 },
    };
    const fetch = source.fetchPage.bind(source);
    // Group "busy" gets 30 records, group "idle" none (the fake serves only busy's events to busy).
    source.fetchPage = async (request) => (request.logGroup === 'idle' ? { events: [], throttles: 1 } : { ...(await fetch(request)), throttles: 2 });
    const targets = ['busy', 'idle'].map((name) => ({ name, format: compileFormat(), filterPattern: '' }));
    clock.advance(5 * MIN);
    await runPoll(targets, deps, 20); // both groups record where they start; nothing to read yet
    const busy = Array.from({ length: 30 }, (_, i) => source.add(line(i, clock.ms + MIN), clock.ms + MIN));
    clock.advance(5 * MIN);
    // The order rotates by the minute: run in a minute where "busy" goes first.
    if (Math.floor(clock.ms / MIN) % targets.length !== 0) clock.advance(MIN);
    // A budget of 20 is shared 10 and 10; idle uses none, so busy gets the other 10 in a second pass.
    const [busyStats, idleStats] = await runPoll(targets, deps, 20);
    expect(idleStats).toMatchObject({ logGroup: 'idle', alertsSent: 0, end: 'caught-up' });
    expect(busyStats).toMatchObject({ logGroup: 'busy', alertsSent: 20, end: 'capped', bySeverity: { medium: 20 } });
    // Merged: both passes' pages and throttles count.
    expect(busyStats?.pagesRead).toBe(2);
    expect(busyStats?.throttles).toBe(4);
    expect(queue.alertIds()).toEqual(busy.slice(0, 20).map((e) => e.eventId));
  });

  it('rotates which group goes first every minute, so a small budget reaches every group', async () => {
    const clock = new Clock(T0);
    const source = new FakeLogSource(clock);
    const order: string[] = [];
    const fetch = source.fetchPage.bind(source);
    source.fetchPage = async (request) => {
      order.push(request.logGroup);
      return fetch(request);
    };
    const deps: PollDeps = {
      source, publisher: new FakeQueue(), checkpoints: new FakeCheckpoints(), now: clock.now, outOfTime: () => false,
      runId: 'run-a', leaseUntil: () => clock.ms + 4 * MIN,
      settings: { lookbackMs: 15 * MIN, maxCatchUpMs: 24 * 60 * MIN, maxMessageBytes: 262_144 },
    };
    const targets = ['a', 'b', 'c'].map((name) => ({ name, format: compileFormat(), filterPattern: '' }));
    const firsts: string[] = [];
    for (let run = 0; run < 3; run++) {
      clock.ms = T0 + run * MIN;
      order.length = 0;
      await runPoll(targets, deps, 100);
      firsts.push(order[0] as string);
    }
    expect(new Set(firsts)).toEqual(new Set(['a', 'b', 'c']));
  });
});
