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
});
