/** lambda/handler.ts itself: cold-start configuration, and one run with the SDK's own endpoint settings. */
import { ENV } from '../../lambda/settings/settings-table';
import type { RunSummary } from '../../lambda/handlers/poll-handler';
import type { LocalAws } from '../../local/local-aws';
import { flowLine, MIN, pollerEnv, quarantineUrlFor, startLocalAws } from '../../local/local-aws';
import { captureStdout } from '../helpers/capture-output';
import { dataMessage } from '../helpers/subscription';

jest.setTimeout(60_000);

type Handler = (event: unknown, context: { getRemainingTimeInMillis(): number; awsRequestId: string }) => Promise<RunSummary>;

/** Loads lambda/handler.ts fresh with `env`; the env stays set until `restore`, as SDK clients read it lazily. */
function loadHandler(env: Record<string, string | undefined>): { handler: Handler; restore: () => void } {
  const saved = { ...process.env };
  const restore = (): void => {
    process.env = saved;
  };
  process.env = { ...saved, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      // A fresh module registry: the handler reads its configuration once, at import.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../lambda/handlers/poll') as { handler: Handler }).handler;
    });
    return { handler: handler as Handler, restore };
  } catch (error) {
    restore();
    throw error;
  }
}

describe('handler cold start', () => {
  it('fails the init with one error naming every bad variable', () => {
    const out = captureStdout();
    try {
      expect(() => loadHandler({ [ENV.logGroups]: undefined, [ENV.queueUrl]: 'not-a-url', [ENV.checkpointTable]: undefined })).toThrow(/vpc-flow-alerts: invalid settings:/);
      const logged = out.lines().find((l) => l['message'] === 'configuration rejected at cold start');
      expect(JSON.stringify(logged)).toContain('LOG_GROUPS is missing');
      expect(JSON.stringify(logged)).toContain('QUEUE_URL');
      expect(JSON.stringify(logged)).toContain('CHECKPOINT_TABLE');
    } finally {
      out.restore();
    }
  });
});

describe('handler run', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.stop());

  it('polls, sends and checkpoints with clients configured by the standard AWS_ENDPOINT_URL_* variables', async () => {
    aws.logs.createLogGroup('/aws/vpc/flowlogs');
    const queueUrl = await aws.sqs.createQueue('handler-alerts');
    await aws.dynamo.createCheckpointTable('handler-checkpoints');
    const now = Date.now();
    const ids = aws.logs.putEvents('/aws/vpc/flowlogs', [
      { timestamp: now - 2 * MIN, message: flowLine(1, now - 2 * MIN) },
      { timestamp: now - 1 * MIN, message: '2 123456789012 eni-1 - - - - - - - 1 2 - SKIPDATA' },
    ]);
    aws.clock.ms = now;
    const { handler, restore } = loadHandler({
      ...pollerEnv(queueUrl, 'handler-checkpoints'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: aws.logs.endpoint,
      AWS_ENDPOINT_URL_SQS: aws.sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: aws.dynamo.endpoint,
    });
    // The handler's clients make one attempt a call: each throttle reaches the reader, which counts it.
    aws.logs.failNext(2, { code: 'ThrottlingException', message: 'Rate exceeded' });
    const filterBefore = aws.logs.calls.count['FilterLogEvents'] ?? 0;
    const out = captureStdout();
    let summary: RunSummary;
    try {
      summary = await handler({}, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'c0ffee00-0000-4000-8000-000000000001' });
    } finally {
      out.restore();
      restore();
    }
    expect(summary.groups[0]).toMatchObject({ end: 'caught-up', alertsSent: 2, bySeverity: { medium: 1, info: 1 }, throttles: 2 });
    expect((aws.logs.calls.count['FilterLogEvents'] ?? 0) - filterBefore).toBe(2 + (summary.groups[0]?.pagesRead ?? 0));
    const received = await aws.sqs.drain(queueUrl);
    expect(received.map((m) => (JSON.parse(m.Body ?? '{}') as { alert_id: string }).alert_id).sort()).toEqual([...ids].sort());
    expect(out.lines().some((l) => l['_aws'] !== undefined && l['AlertsSent'] === 2)).toBe(true);
  });
});

describe('subscription handler module', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.stop());

  it('starts without a checkpoint table and sends a direct delivery', async () => {
    const queueUrl = await aws.sqs.createQueue('push-module');
    const saved = { ...process.env };
    process.env = {
      ...saved,
      [ENV.logGroups]: JSON.stringify([{ name: '/aws/vpc/flowlogs' }]),
      [ENV.queueUrl]: queueUrl,
      [ENV.quarantineQueueUrl]: quarantineUrlFor(queueUrl),
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_SQS: aws.sqs.endpoint,
    };
    delete process.env[ENV.checkpointTable];
    const out = captureStdout();
    try {
      type PushHandler = (event: unknown, context: { invokedFunctionArn: string }) => Promise<unknown>;
      let handler: PushHandler | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handler = (require('../../lambda/handlers/subscribe') as { handler: PushHandler }).handler;
      });
      await handler?.({ awslogs: { data: dataMessage('/aws/vpc/flowlogs', 'eni-1-all', [flowLine(1, Date.now())], { idPrefix: 'm' }) } }, { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' });
    } finally {
      out.restore();
      process.env = saved;
    }
    const received = await aws.sqs.drain(queueUrl);
    expect(received.map((m) => (JSON.parse(m.Body ?? '{}') as { alert_id: string }).alert_id)).toEqual(['m-0']);
  });
});
