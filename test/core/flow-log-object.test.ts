import fc from 'fast-check';
import { dayPrefixes, fileTime, flowTime, readFlowLogKey } from '../../lambda/core/flow-log-object';
import { continuationBody, readNotification } from '../../lambda/core/object-notification';

const DAY = Date.UTC(2026, 10, 25);
const NAME = '123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20261125T0135Z_fe123456';

describe('flow-log object keys', () => {
  it.each([
    [`AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/${NAME}.log.gz`, 'log-gzip', DAY],
    [`archive/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/01/${NAME}.log.parquet`, 'parquet', DAY],
    [`AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=25/${NAME}.log.gz`, 'log-gzip', DAY],
    [`AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=25/hour=01/${NAME}.parquet`, 'parquet', DAY],
    [`exports/${NAME}.log`, 'log-text', undefined],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/manifest.json', 'ignored', DAY],
    ['AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/25/x.log.gz.tmp', 'ignored', undefined],
  ])('reads %s as %s', (key, kind, day) => {
    expect(readFlowLogKey(key)).toEqual(day === undefined ? { kind } : { kind, day });
  });

  it('reads the time in a file name, and times an object\'s flows by it but never after S3 wrote it', () => {
    const named = Date.UTC(2026, 10, 25, 1, 35);
    expect(fileTime(`x/${NAME}.log.gz`)).toBe(named);
    expect(fileTime('x/no-time.log.gz')).toBeUndefined();
    // An archive copied later keeps its file times; a file named in the future counts when written.
    expect(flowTime(`x/${NAME}.log.gz`, named + 86_400_000)).toBe(named);
    expect(flowTime(`x/${NAME}.log.gz`, named - 60_000)).toBe(named - 60_000);
    expect(flowTime('x/no-time.log.gz', 42)).toBe(42);
    // A file's name time, when it was written at or after it, whatever the delay (a copy years later).
    const nameAt = (ms: number): string => `x/1_vpcflowlogs_r_fl-1_${new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '')}Z_h.log.gz`;
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), fc.nat(), (minutes, delay) => {
      const at = minutes * 60_000;
      return flowTime(nameAt(at), at + delay) === at && flowTime(nameAt(at + delay + 60_000), at) === at;
    }));
  });

  it('lists the days of a range under a region prefix (plain or Hive), and nothing for another prefix', () => {
    const start = Date.UTC(2026, 10, 24, 23, 0);
    const end = Date.UTC(2026, 10, 26, 0, 5);
    expect(dayPrefixes('AWSLogs/123456789012/vpcflowlogs/us-east-1/', start, end)).toEqual([
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/', 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/25/', 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/26/',
    ]);
    expect(dayPrefixes('AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=eu-west-1/', start, start)).toEqual(['AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=24/']);
    expect(dayPrefixes('AWSLogs/', start, end)).toBeUndefined();
    // A range of centuries is bounded (ten years of days).
    expect(dayPrefixes('AWSLogs/1/vpcflowlogs/us-east-1/', 0, 4_102_444_800_000)).toHaveLength(3660);
  });
});

describe('object notifications', () => {
  it('reads EventBridge events as they are, and S3 notifications URL-decoded', () => {
    expect(readNotification(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { key: 'a b+c.log.gz' } } })))
      .toEqual({ kind: 'objects', objects: [{ bucket: 'b', key: 'a b+c.log.gz' }] });
    expect(readNotification(JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'a+b%2Bc.log.gz' } } }, { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'gone' } } }] })))
      .toEqual({ kind: 'objects', objects: [{ bucket: 'b', key: 'a b+c.log.gz' }] });
    expect(readNotification(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }))).toEqual({ kind: 'test' });
    // This product's own continuation of an object, as it writes it.
    expect(readNotification(continuationBody({ bucket: 'b', key: 'k.log.gz', from: 2502 }))).toEqual({ kind: 'objects', objects: [{ bucket: 'b', key: 'k.log.gz', from: 2502 }] });
    for (const from of [0, -1, 1.5, '7', null]) {
      expect(readNotification(JSON.stringify({ vpcFlowAlerts: 'continue-object', bucket: 'b', key: 'k', from }))).toMatchObject({ kind: 'invalid' });
    }
  });

  it('never throws, and takes at most 100 objects from one message', () => {
    expect(readNotification('not json')).toMatchObject({ kind: 'invalid' });
    expect(readNotification('null')).toMatchObject({ kind: 'invalid' });
    expect(readNotification(JSON.stringify({ Records: [{ s3: { bucket: { name: 'b' }, object: { key: '%E0%A4%A' } } }] }))).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('not URL-encoded') });
    const many = { Records: Array.from({ length: 5000 }, (_, i) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: `k${i}` } } })) };
    const read = readNotification(JSON.stringify(many));
    expect(read.kind === 'objects' ? read.objects.length : read.kind).toBe(100);
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (body) => ['objects', 'test', 'invalid'].includes(readNotification(body).kind)));
  });
});
