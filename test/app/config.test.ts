import { readConfig } from '../../lambda/app/config';
import { DEFAULT_FILTER_PATTERN, ENV, SETTINGS } from '../../lambda/settings/settings-table';
import { ConfigError } from '../../lambda/core/errors';

const VALID = {
  [ENV.logGroups]: JSON.stringify([{ name: '/aws/vpc/flowlogs' }, { name: 'tgw-flows', logFormat: '${version} ${srcaddr} ${action}', filterPattern: 'REJECT' }]),
  [ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/vpc-flow-alerts',
  [ENV.quarantineQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/vpc-flow-alerts-quarantine',
  [ENV.checkpointTable]: 'vpc-flow-alerts-checkpoints',
};

describe('readConfig', () => {
  it('reads a valid configuration with the documented defaults', () => {
    const config = readConfig(VALID);
    expect(config).toMatchObject({
      queueUrl: VALID[ENV.queueUrl], fifo: false, checkpointTable: 'vpc-flow-alerts-checkpoints',
      lookbackMs: SETTINGS.lookbackMinutes.default * 60_000, maxEventsPerRun: 5000, maxCatchUpMs: 24 * 3_600_000,
      maxMessageBytes: 262_144, filterRequestsPerSecond: 4,
    });
    expect(config.logGroups.map((g) => [g.name, g.filterPattern, g.format.isDefault])).toEqual([
      ['/aws/vpc/flowlogs', DEFAULT_FILTER_PATTERN, true],
      ['tgw-flows', 'REJECT', false],
    ]);
  });

  it('knows a FIFO queue by its URL', () => {
    expect(readConfig({ ...VALID, [ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/alerts.fifo' }).fifo).toBe(true);
  });

  it('names every bad variable in one error, with the fix', () => {
    const env = {
      [ENV.logGroups]: JSON.stringify([{ name: 'bad name!' }, { name: 'ok', logFormat: '${version} ${nope}' }]),
      [ENV.queueUrl]: 'arn:aws:sqs:eu-west-1:123456789012:q',
      [ENV.lookbackMinutes]: 'ten',
      [ENV.filterRequestsPerSecond]: '50',
    };
    let thrown: unknown;
    try {
      readConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    {
      const { message, settings } = thrown as ConfigError;
      expect(settings).toEqual(expect.arrayContaining([ENV.logGroups, ENV.queueUrl, ENV.quarantineQueueUrl, ENV.checkpointTable, ENV.lookbackMinutes, ENV.filterRequestsPerSecond]));
      expect(message).toContain('entry 0: "name" must be a log group name');
      expect(message).toContain('"nope" is not a VPC flow log field');
      expect(message).toContain('QUEUE_URL=arn:aws:sqs:eu-west-1:123456789012:q is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>); e.g. QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/alerts');
      expect(message).toContain('CHECKPOINT_TABLE is missing; e.g. CHECKPOINT_TABLE=vpc-flow-alerts-checkpoints');
      expect(message).toContain('QUARANTINE_QUEUE_URL is missing; e.g. QUARANTINE_QUEUE_URL=');
      expect(message).toContain('LOOKBACK_MINUTES=ten must be a whole number from 1 to 1440; e.g. LOOKBACK_MINUTES=30');
      expect(message).toContain('FILTER_REQUESTS_PER_SECOND=50 must be a whole number from 1 to 5; e.g. FILTER_REQUESTS_PER_SECOND=2');
    }
  });

  it('rejects a missing, empty or malformed LOG_GROUPS and duplicate groups', () => {
    for (const value of [undefined, '', '[]', '{', '"x"', JSON.stringify([{ name: 'a' }, { name: 'a' }])]) {
      expect(() => readConfig({ ...VALID, [ENV.logGroups]: value })).toThrow(/LOG_GROUPS/);
    }
  });

  it('rejects a catch-up window shorter than the lookback', () => {
    expect(() => readConfig({ ...VALID, [ENV.lookbackMinutes]: '120', [ENV.maxCatchUpHours]: '1' })).toThrow(/MAX_CATCH_UP_HOURS/);
  });

  it('reads the internal networks and the severity policy, and names a bad rule', () => {
    const config = readConfig({ ...VALID, [ENV.internalCidrs]: '203.0.113.0/24', [ENV.severityProfile]: 'exposure', [ENV.severityRules]: '[{"action":["REJECT"],"severity":"high"}]' });
    expect(config.classify.severity).toEqual({ profile: 'exposure', rules: [{ action: ['REJECT'], severity: 'high' }] });
    expect(config.classify.internalCidrs.map((c) => c.text)).toEqual(['203.0.113.0/24']);
    expect(readConfig(VALID).classify.severity).toEqual({ profile: 'seed', rules: [] });
    expect(() => readConfig({ ...VALID, [ENV.severityRules]: '[{"severity":"urgent"}]' })).toThrow('SEVERITY_RULES: rule 0: "severity" must be one of "info", "low", "medium", "high"');
  });
});

describe('readConfig in s3 mode', () => {
  it('reads the bucket (name or ARN) and prefix, and needs no log groups', () => {
    const env = { FLOW_LOG_BUCKET: 'arn:aws:s3:::central-log-archive', FLOW_LOG_PREFIX: 'AWSLogs/', QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', QUARANTINE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q-quarantine' };
    expect(readConfig(env, 's3')).toMatchObject({ s3: { bucket: 'central-log-archive', prefix: 'AWSLogs/' }, logGroups: [] });
    expect(() => readConfig({ ...env, FLOW_LOG_BUCKET: undefined }, 's3')).toThrow('FLOW_LOG_BUCKET is missing; e.g. FLOW_LOG_BUCKET=central-log-archive');
  });
});
