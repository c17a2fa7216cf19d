import { createServer } from 'node:net';
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import type { FilterLogEventsCommandInput, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsEmulator } from '../../local/cloudwatch-logs-emulator';
import type { EmulatorOptions } from '../../local/cloudwatch-logs-emulator';

const GROUP = '/aws/vpc/flowlogs';
const T0 = 1_700_000_000_000;

let emulator: CloudWatchLogsEmulator;
let client: CloudWatchLogsClient;

async function setUp(options: EmulatorOptions = {}): Promise<void> {
  emulator = await CloudWatchLogsEmulator.start(options);
  emulator.createLogGroup(GROUP);
  // maxAttempts: 1 so a throttling answer reaches the test instead of being retried by the SDK.
  client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

afterEach(async () => {
  client.destroy();
  await emulator.stop();
});

const filter = (input: Omit<FilterLogEventsCommandInput, 'logGroupName'> & { logGroupName?: string } = {}) =>
  client.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...input }));

/** Follows nextToken until it is absent; returns every page. */
async function drain(input: Omit<FilterLogEventsCommandInput, 'logGroupName' | 'nextToken'>): Promise<FilteredLogEvent[][]> {
  const pages: FilteredLogEvent[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await filter({ ...input, nextToken });
    pages.push(page.events ?? []);
    nextToken = page.nextToken;
    if (pages.length > 1000) throw new Error('token never ran out');
  } while (nextToken !== undefined);
  return pages;
}

const messages = (events: readonly FilteredLogEvent[] | undefined) => (events ?? []).map((e) => e.message);

describe('CloudWatchLogsEmulator', () => {
  describe('server', () => {
    it('listens on 127.0.0.1 only, and stop() frees the port', async () => {
      await setUp();
      const address = emulator.address();
      expect(address.address).toBe('127.0.0.1');
      expect(address.family).toBe('IPv4');
      expect(emulator.endpoint).toBe(`http://127.0.0.1:${address.port}`);
      await filter(); // leaves a keep-alive connection open, which stop() must not wait for
      await emulator.stop();
      await emulator.stop(); // idempotent
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(address.port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    });

    it('answers unknown operations and malformed requests with 400 and a JSON __type', async () => {
      await setUp();
      const post = (target: string | undefined, body: string) =>
        fetch(`${emulator.endpoint}/`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-amz-json-1.1', ...(target === undefined ? {} : { 'X-Amz-Target': target }) },
          body,
        });
      for (const [target, body, type] of [
        ['Logs_20140328.GetLogEvents', '{}', 'UnknownOperationException'],
        [undefined, '{}', 'UnknownOperationException'],
        ['Logs_20140328.FilterLogEvents', '{not json', 'SerializationException'],
      ] as const) {
        const response = await post(target, body);
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
        expect(await response.json()).toEqual({ __type: type, message: expect.any(String) });
      }
      expect(emulator.calls.count).toMatchObject({ GetLogEvents: 1, Unknown: 1, FilterLogEvents: 1 });
    });
  });

  describe('FilterLogEvents', () => {
    it('returns events sorted by (timestamp, eventId) with the service fields, and unique 56-digit eventIds', async () => {
      await setUp();
      const ids = emulator.putEvents(GROUP, [
        { timestamp: T0 + 2, message: 'c', logStreamName: 'eni-b', ingestionTime: T0 + 10 },
        { timestamp: T0, message: 'a' },
        { timestamp: T0 + 2, message: 'd', logStreamName: 'eni-a' },
        { timestamp: T0 + 1, message: 'b' },
      ]);
      expect(new Set(ids).size).toBe(4);
      for (const id of ids) expect(id).toMatch(/^\d{56}$/);
      const page = await filter();
      expect(messages(page.events)).toEqual(['a', 'b', 'c', 'd']);
      expect(page.events?.[2]).toEqual({ logStreamName: 'eni-b', timestamp: T0 + 2, message: 'c', ingestionTime: T0 + 10, eventId: ids[0] });
      expect(page.searchedLogStreams).toEqual([]);
      expect(page.nextToken).toBeUndefined();
      // Stable: the same event keeps its id.
      expect((await filter()).events?.map((e) => e.eventId)).toEqual(page.events?.map((e) => e.eventId));
    });

    it('filters by time range, inclusive at both ends, either end optional', async () => {
      await setUp();
      emulator.putEvents(GROUP, [99, 100, 150, 200, 201].map((dt) => ({ timestamp: T0 + dt, message: `t${dt}` })));
      expect(messages((await filter({ startTime: T0 + 100, endTime: T0 + 200 })).events)).toEqual(['t100', 't150', 't200']);
      expect(messages((await filter({ startTime: T0 + 200 })).events)).toEqual(['t200', 't201']);
      expect(messages((await filter({ endTime: T0 + 99 })).events)).toEqual(['t99']);
      expect(messages((await filter({ startTime: T0 + 150, endTime: T0 + 150 })).events)).toEqual(['t150']);
      await expect(filter({ startTime: T0 + 2, endTime: T0 + 1 })).rejects.toBeInstanceOf(InvalidParameterException);
    });

    it('shows an event only once its ingestionTime has passed on the injected clock', async () => {
      let clock = T0 + 1000;
      await setUp({ now: () => clock });
      emulator.putEvents(GROUP, [
        { timestamp: T0, message: 'on time', ingestionTime: T0 + 500 },
        { timestamp: T0 + 1, message: 'late', ingestionTime: T0 + 5000 },
      ]);
      expect(messages((await filter({ startTime: T0, endTime: T0 + 10 })).events)).toEqual(['on time']);
      clock = T0 + 4999;
      expect(messages((await filter({ startTime: T0, endTime: T0 + 10 })).events)).toEqual(['on time']);
      clock = T0 + 5000;
      expect(messages((await filter({ startTime: T0, endTime: T0 + 10 })).events)).toEqual(['on time', 'late']);
    });

    it('supports the ?ANY, ALL and "quoted phrase" filter patterns as case-sensitive substrings', async () => {
      await setUp();
      const lines = ['2 123 eni-1 REJECT OK', '2 123 eni-1 ACCEPT OK', '2 123 eni-1 - - NODATA', '2 123 eni-1 - - SKIPDATA', 'reject ok', 'OK REJECT'];
      emulator.putEvents(GROUP, lines.map((message, i) => ({ timestamp: T0 + i, message })));
      expect(messages((await filter({ filterPattern: '' })).events)).toEqual(lines);
      expect(messages((await filter({ filterPattern: '   ' })).events)).toEqual(lines);
      expect(messages((await filter({ filterPattern: '?REJECT ?SKIPDATA' })).events)).toEqual([lines[0], lines[3], lines[5]]);
      expect(messages((await filter({ filterPattern: 'REJECT OK' })).events)).toEqual([lines[0], lines[5]]);
      expect(messages((await filter({ filterPattern: '"REJECT OK"' })).events)).toEqual([lines[0]]);
      expect(messages((await filter({ filterPattern: '?"REJECT OK" ?NODATA' })).events)).toEqual([lines[0], lines[2]]);
      expect(messages((await filter({ filterPattern: 'eni-1 "- - SKIPDATA"' })).events)).toEqual([lines[3]]);
    });

    it.each(['{ $.action = "REJECT" }', '[version, account, eni, action = REJECT]', '-ACCEPT', 'REJECT ?SKIPDATA', '%REJ.*%', '"unclosed', '""'])(
      'refuses the unsupported pattern %j with InvalidParameterException',
      async (filterPattern) => {
        await setUp();
        emulator.putEvents(GROUP, [{ timestamp: T0, message: 'REJECT' }]);
        const error: unknown = await filter({ filterPattern }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidParameterException);
        expect((error as InvalidParameterException).message).toBe('unsupported filter pattern in emulator');
      },
    );

    it('selects by logStreamNames and by logGroupIdentifier (name or ARN)', async () => {
      await setUp();
      emulator.putEvents(GROUP, [
        { timestamp: T0, message: 'a', logStreamName: 'eni-a' },
        { timestamp: T0 + 1, message: 'b', logStreamName: 'eni-b' },
      ]);
      expect(messages((await filter({ logStreamNames: ['eni-b'] })).events)).toEqual(['b']);
      const byArn = await client.send(new FilterLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}` }));
      expect(messages(byArn.events)).toEqual(['a', 'b']);
      const byName = await client.send(new FilterLogEventsCommand({ logGroupIdentifier: GROUP }));
      expect(messages(byName.events)).toEqual(['a', 'b']);
    });

    it('pages by min(limit, pageSize) and a token-following loop sees every event once, in order', async () => {
      await setUp({ pageSize: 4 });
      const all = Array.from({ length: 23 }, (_, i) => ({ timestamp: T0 + Math.floor(i / 3), message: `REJECT ${i}` }));
      // Load out of order so the emulator has to sort.
      emulator.putEvents(GROUP, [...all].reverse().map((e, i) => ({ ...e, logStreamName: `s${i % 2}` })));
      const pages = await drain({ limit: 10, filterPattern: '?REJECT' });
      expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 3]);
      const seen = pages.flat();
      expect(new Set(seen.map((e) => e.eventId)).size).toBe(23);
      const sorted = [...seen].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || ((a.eventId ?? '') < (b.eventId ?? '') ? -1 : 1));
      expect(seen).toEqual(sorted);
      expect(new Set(messages(seen))).toEqual(new Set(all.map((e) => e.message)));

      const small = await drain({ limit: 3 });
      expect(small.map((p) => p.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 2]);
      expect(small.flat()).toEqual(seen);
      // The limit may change between pages of one query, as the service allows.
      const first = await filter({ limit: 1 });
      const second = await filter({ limit: 2, nextToken: first.nextToken });
      expect([...(first.events ?? []), ...(second.events ?? [])]).toEqual(seen.slice(0, 3));
    });

    it('while paging, returns a late event that sorts after the cursor, and not one behind it (documented simplification)', async () => {
      let clock = T0 + 100;
      await setUp({ now: () => clock, pageSize: 1 });
      emulator.putEvents(GROUP, [
        { timestamp: T0 + 1, message: 'a' },
        { timestamp: T0 + 3, message: 'c' },
        { timestamp: T0, message: 'late, behind the cursor', ingestionTime: T0 + 200 },
        { timestamp: T0 + 2, message: 'late, ahead of the cursor', ingestionTime: T0 + 200 },
      ]);
      const first = await filter();
      expect(messages(first.events)).toEqual(['a']);
      clock = T0 + 200;
      const rest = await drain({});
      expect(messages(rest.flat())).toEqual(['late, behind the cursor', 'a', 'late, ahead of the cursor', 'c']);
      const second = await filter({ nextToken: first.nextToken });
      const third = await filter({ nextToken: second.nextToken });
      expect([...messages(second.events), ...messages(third.events)]).toEqual(['late, ahead of the cursor', 'c']);
      expect(third.nextToken).toBeUndefined();
    });

    it('returns empty pages with a token before the data of each new query', async () => {
      await setUp({ emptyPagesBeforeData: 2, pageSize: 2 });
      emulator.putEvents(GROUP, [0, 1, 2].map((i) => ({ timestamp: T0 + i, message: `m${i}` })));
      const pages = await drain({});
      expect(pages.map((p) => p.length)).toEqual([0, 0, 2, 1]);
      expect(messages(pages.flat())).toEqual(['m0', 'm1', 'm2']);
      // A range with nothing in it still answers the empty pages, then a last page without a token.
      expect((await drain({ startTime: T0 + 100 })).map((p) => p.length)).toEqual([0, 0, 0]);
      const firstPage = await filter();
      expect(firstPage.events).toEqual([]);
      expect(firstPage.nextToken).toEqual(expect.any(String));
    });

    it('caps a page at 1 MB of messages', async () => {
      await setUp();
      const big = 'x'.repeat(200_000);
      emulator.putEvents(GROUP, Array.from({ length: 12 }, (_, i) => ({ timestamp: T0 + i, message: `${i} ${big}` })));
      const pages = await drain({});
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    });

    it('refuses expired, foreign, garbage and mismatched tokens with the SDK InvalidParameterException', async () => {
      await setUp({ pageSize: 1 });
      emulator.putEvents(GROUP, [0, 1, 2].map((i) => ({ timestamp: T0 + i, message: `REJECT ${i}` })));
      const query = { startTime: T0, endTime: T0 + 10, filterPattern: '?REJECT' };
      const { nextToken } = await filter(query);
      expect(nextToken).toEqual(expect.any(String));

      for (const mismatch of [{ ...query, endTime: T0 + 11 }, { ...query, startTime: T0 + 1 }, { ...query, filterPattern: '?REJECT ?SKIPDATA' }]) {
        await expect(filter({ ...mismatch, nextToken })).rejects.toThrow(InvalidParameterException);
      }
      await expect(filter({ ...query, logGroupName: '/missing', nextToken })).rejects.toBeInstanceOf(ResourceNotFoundException);
      emulator.createLogGroup('/other');
      await expect(filter({ ...query, logGroupName: '/other', nextToken })).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(filter({ ...query, nextToken: 'bm90IGEgdG9rZW4' })).rejects.toBeInstanceOf(InvalidParameterException);

      expect(messages((await filter({ ...query, nextToken })).events)).toEqual(['REJECT 1']); // still valid
      emulator.expireTokens();
      const expired: unknown = await filter({ ...query, nextToken }).catch((e: unknown) => e);
      expect(expired).toBeInstanceOf(InvalidParameterException);
      expect(expired).toMatchObject({ name: 'InvalidParameterException', message: 'The specified nextToken is invalid.', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      // A new query after expiry works, and tokens of another emulator are refused.
      const fresh = await filter(query);
      const other = await CloudWatchLogsEmulator.start();
      try {
        other.createLogGroup(GROUP);
        const otherClient = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: other.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
        await expect(otherClient.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...query, nextToken: fresh.nextToken }))).rejects.toBeInstanceOf(InvalidParameterException);
        otherClient.destroy();
      } finally {
        await other.stop();
      }
    });

    it('validates limit', async () => {
      await setUp();
      await expect(filter({ limit: 10_001 })).rejects.toBeInstanceOf(InvalidParameterException);
      await expect(filter({ limit: 0 })).rejects.toBeInstanceOf(InvalidParameterException);
      // The SDK does not check ranges itself: the emulator saw both requests.
      expect(emulator.calls.filterRequests.map((r) => r['limit'])).toEqual([10_001, 0]);
    });

    it('answers ResourceNotFoundException for a missing log group', async () => {
      await setUp();
      const error: unknown = await filter({ logGroupName: '/aws/vpc/missing' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error).toMatchObject({ name: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
    });
  });

  describe('failure injection', () => {
    it('failNext makes the next N calls fail, e.g. ThrottlingException, then recovers', async () => {
      await setUp();
      emulator.putEvents(GROUP, [{ timestamp: T0, message: 'a' }]);
      emulator.failNext(2, { code: 'ThrottlingException', message: 'Rate exceeded' });
      for (let i = 0; i < 2; i++) {
        const error: unknown = await filter().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ThrottlingException);
        expect(error).toMatchObject({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      }
      expect(messages((await filter()).events)).toEqual(['a']);
      expect(emulator.calls.count['FilterLogEvents']).toBe(3);
    });

    it('failNext queues errors in order, per operation, with server faults as 5xx', async () => {
      await setUp();
      emulator.failNext(1, { code: 'ServiceUnavailableException' });
      emulator.failNext(1, { code: 'SomethingUnmodelled', message: 'odd', status: 418 });
      emulator.failNext(1, { code: 'ThrottlingException' }, 'DescribeLogGroups');
      await expect(client.send(new DescribeLogGroupsCommand({}))).rejects.toBeInstanceOf(ThrottlingException);
      const unavailable: unknown = await filter().catch((e: unknown) => e);
      expect(unavailable).toBeInstanceOf(ServiceUnavailableException);
      expect(unavailable).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
      // An error code the SDK does not model still surfaces, as the service base exception with that name.
      const odd: unknown = await filter().catch((e: unknown) => e);
      expect(odd).toBeInstanceOf(CloudWatchLogsServiceException);
      expect(odd).toMatchObject({ name: 'SomethingUnmodelled', message: 'odd', $metadata: { httpStatusCode: 418 } });
      await expect(filter()).resolves.toMatchObject({ events: [] });
    });

    it('denyAccess answers AccessDeniedException for that group until allowAccess', async () => {
      await setUp();
      emulator.createLogGroup('/other');
      emulator.denyAccess(GROUP);
      const error: unknown = await filter().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessDeniedException);
      expect((error as AccessDeniedException).message).toContain('not authorized to perform: logs:FilterLogEvents');
      await expect(filter({ logGroupName: '/other' })).resolves.toBeDefined();
      // Denied before the existence check, as IAM is evaluated first.
      emulator.denyAccess('/nope');
      await expect(filter({ logGroupName: '/nope' })).rejects.toBeInstanceOf(AccessDeniedException);
      emulator.allowAccess(GROUP);
      await expect(filter()).resolves.toMatchObject({ events: [] });
    });
  });

  describe('loading data through the SDK', () => {
    it('CreateLogGroup, CreateLogStream and PutLogEvents, then FilterLogEvents sees the events with ingestionTime = now()', async () => {
      let clock = T0 + 60_000;
      await setUp({ now: () => clock });
      await client.send(new CreateLogGroupCommand({ logGroupName: '/demo' }));
      await expect(client.send(new CreateLogGroupCommand({ logGroupName: '/demo' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
      await expect(
        client.send(new PutLogEventsCommand({ logGroupName: '/demo', logStreamName: 'eni-1-all', logEvents: [{ timestamp: T0, message: 'x' }] })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
      await client.send(new CreateLogStreamCommand({ logGroupName: '/demo', logStreamName: 'eni-1-all' }));
      await client.send(
        new PutLogEventsCommand({
          logGroupName: '/demo',
          logStreamName: 'eni-1-all',
          logEvents: [
            { timestamp: T0, message: '2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 49152 6 1 40 1700000000 1700000060 REJECT OK' },
            { timestamp: T0 + 1, message: '2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 49153 6 1 40 1700000000 1700000060 ACCEPT OK' },
          ],
        }),
      );
      clock += 1;
      const page = await client.send(new FilterLogEventsCommand({ logGroupName: '/demo', startTime: T0, endTime: T0 + 1, filterPattern: '?REJECT ?SKIPDATA' }));
      expect(page.events).toEqual([
        expect.objectContaining({ logStreamName: 'eni-1-all', timestamp: T0, ingestionTime: T0 + 60_000, eventId: expect.stringMatching(/^\d{56}$/) }),
      ]);
      const described = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/de' }));
      expect(described.logGroups).toEqual([
        expect.objectContaining({ logGroupName: '/demo', creationTime: T0 + 60_000, arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/demo:*' }),
      ]);
      expect(emulator.calls.count).toMatchObject({ CreateLogGroup: 2, CreateLogStream: 1, PutLogEvents: 2, FilterLogEvents: 1, DescribeLogGroups: 1 });
      expect(emulator.calls.filterRequests).toEqual([{ logGroupName: '/demo', startTime: T0, endTime: T0 + 1, filterPattern: '?REJECT ?SKIPDATA' }]);
    });

    it('putEvents refuses a missing group and bad events', async () => {
      await setUp();
      expect(() => emulator.putEvents('/missing', [{ timestamp: T0, message: 'a' }])).toThrow(/does not exist/);
      expect(() => emulator.putEvents(GROUP, [{ timestamp: 1.5, message: 'a' }])).toThrow();
      expect(() => emulator.putEvents(GROUP, [{ timestamp: T0, message: '' }])).toThrow();
      expect(() => emulator.createLogGroup(GROUP)).toThrow(/already exists/);
    });
  });
});
