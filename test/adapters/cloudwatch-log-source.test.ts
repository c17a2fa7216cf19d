import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogSource } from '../../lambda/adapters/cloudwatch-log-source';
import { RateLimiter } from '../../lambda/adapters/rate-limiter';
import { LogSourceError } from '../../lambda/core/errors';

const logs = mockClient(CloudWatchLogsClient);
const error = (name: string) => Object.assign(new Error(`${name} happened`), { name });
const request = { logGroup: '/aws/vpc/flowlogs', filterPattern: '?REJECT ?SKIPDATA', start: 1000, end: 2000, limit: 500 };

function source() {
  const sleeps: number[] = [];
  let acquired = 0;
  const limiter = new RateLimiter(1000, () => 0, async () => {});
  const counting = Object.assign(Object.create(limiter) as RateLimiter, {
    acquire: async () => {
      acquired++;
      await limiter.acquire();
    },
  });
  const s = new CloudWatchLogSource(new CloudWatchLogsClient({ region: 'us-east-1' }), {
    limiter: counting,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { s, sleeps, acquired: () => acquired };
}

beforeEach(() => logs.reset());

describe('CloudWatchLogSource', () => {
  it('asks for the window, the pattern, the limit and the token, and maps the events', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [{ eventId: 'e1', timestamp: 1500, ingestionTime: 1600, logStreamName: 's', message: 'm' }, { message: 'no id' }],
      nextToken: 'next',
    });
    const page = await source().s.fetchPage({ ...request, nextToken: 'tok' });
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/aws/vpc/flowlogs', startTime: 1000, endTime: 2000, limit: 500, filterPattern: '?REJECT ?SKIPDATA', nextToken: 'tok',
    });
    expect(page).toEqual({ events: [{ eventId: 'e1', timestamp: 1500, ingestionTime: 1600, logStreamName: 's', message: 'm' }], nextToken: 'next', throttles: 0 });
  });

  it('sends no filterPattern for an empty pattern (every event)', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    await source().s.fetchPage({ ...request, filterPattern: '' });
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input.filterPattern).toBeUndefined();
  });

  it('backs off with jitter on throttling, every attempt through the limiter, counting each throttle in the page', async () => {
    logs.on(FilterLogEventsCommand).rejectsOnce(error('ThrottlingException')).rejectsOnce(error('ThrottlingException')).resolves({ events: [] });
    const { s, sleeps, acquired } = source();
    await expect(s.fetchPage(request)).resolves.toEqual({ events: [], throttles: 2 });
    expect(acquired()).toBe(3);
    expect(sleeps).toHaveLength(2);
    sleeps.forEach((ms, i) => expect(ms).toBeLessThan(200 * 2 ** (i + 1)));
  });

  it('retries a 5xx or a dropped connection in the same run, and carries the throttles of a failed read', async () => {
    logs.on(FilterLogEventsCommand)
      .rejectsOnce(Object.assign(error('ServiceUnavailableException'), { $fault: 'server' }))
      .rejectsOnce(error('TimeoutError'))
      .resolves({ events: [] });
    await expect(source().s.fetchPage(request)).resolves.toEqual({ events: [], throttles: 0 });
    logs.reset();
    logs.on(FilterLogEventsCommand).rejects(error('ThrottlingException'));
    const failure = await source().s.fetchPage(request).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'throttled', throttles: 6 });
  });

  it.each([
    ['ResourceNotFoundException', 'not-found', /does not exist: check the LOG_GROUPS setting/],
    ['AccessDeniedException', 'access-denied', /needs logs:FilterLogEvents on this log group/],
    ['ThrottlingException', 'throttled', /5 requests\/second account quota/],
    ['ServiceUnavailableException', 'other', /failed/],
  ])('classifies %s as %s with the fix', async (name, kind, message) => {
    logs.on(FilterLogEventsCommand).rejects(error(name));
    const failure = await source().s.fetchPage(request).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LogSourceError);
    expect(failure).toMatchObject({ kind });
    expect((failure as Error).message).toMatch(message);
  });

  it('reports a rejected continuation token as invalid-token', async () => {
    logs.on(FilterLogEventsCommand).rejects(error('InvalidParameterException'));
    await expect(source().s.fetchPage({ ...request, nextToken: 'old' })).rejects.toMatchObject({ kind: 'invalid-token' });
  });
});

describe('RateLimiter', () => {
  it('spaces calls 1000/perSecond ms apart', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter(4, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    for (let i = 0; i < 5; i++) await limiter.acquire();
    expect(waits).toEqual([250, 250, 250, 250]);
  });
});
