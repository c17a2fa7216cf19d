/** cdk-nag (AwsSolutions and Serverless packs) finds nothing unacknowledged, in every shape of the stack. */
import type { NagReport } from './build';
import { nagReports } from './build';

const SHAPES = {
  'default (new queue)': {},
  'existing FIFO queue with a customer key': {
    alerts: {
      logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }, { logGroupName: 'tgw-flows', logFormat: '${version} ${srcaddr} ${action}' }],
      alertQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:alerts.fifo',
      alertQueueKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
  },
  'flow log created, alarm e-mail': { alerts: { flowLog: { vpcId: 'vpc-0123456789abcdef0' } }, alarmEmail: 'secops@example.com' },
  'push mode, direct subscription': { alerts: { mode: 'subscribe', logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }] } },
  'push mode through Kinesis, with a created flow log': { alerts: { mode: 'subscribe', kinesisShards: 2, flowLog: { vpcId: 'vpc-0123456789abcdef0' } } },
  'poll mode with findings': { alerts: { logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }], alertMode: 'findings', allowlistCidrs: ['192.0.2.0/24'] } },
  'push mode with findings': { alerts: { mode: 'subscribe', logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }], alertMode: 'both' } },
  's3 mode, created bucket and flow log, findings': { alerts: { mode: 's3', flowLog: { vpcId: 'vpc-0123456789abcdef0' }, alertMode: 'findings' } },
  's3 mode, central bucket of another account': { alerts: { mode: 's3', flowLogBucket: 'central-log-archive', flowLogBucketAccount: '111122223333', alertMode: 'both' } },
  's3 mode, SSE-KMS bucket': { alerts: { mode: 's3', flowLogBucket: 'central-log-archive', flowLogPrefix: 'AWSLogs/', flowLogBucketKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' } },
} as const;

describe.each(Object.entries(SHAPES))('cdk-nag on the %s stack', (_name, props) => {
  // Synthesized when the tests run, not when jest collects them.
  let reports: NagReport[];
  beforeAll(() => {
    reports = nagReports(props as Parameters<typeof nagReports>[0]);
  });

  it('runs both packs', () => {
    expect(reports.map((r) => r.pluginName).sort()).toEqual(['AwsSolutions', 'Serverless']);
  });

  it('reports no unacknowledged finding, error or warning', () => {
    const open = reports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.ruleName} (${v.severity}) at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`));
    expect(open).toEqual([]);
    for (const report of reports) expect(report.conclusion).toBe('success');
  });

  it('gives evidence with every acknowledgement', () => {
    for (const suppressed of reports.flatMap((r) => r.suppressedViolations)) {
      expect(suppressed.reason.length).toBeGreaterThan(60);
    }
  });
});

it('the acknowledged findings are exactly the expected, known ones', () => {
  const ids = nagReports().flatMap((r) => r.suppressedViolations.map((s) => s.acknowledgedId.replace(/\[.*\]$/, '[…]'))).sort();
  expect([...new Set(ids)]).toEqual([
    'AwsSolutions::AwsSolutions-IAM5[…]',
    'AwsSolutions::AwsSolutions-SQS3',
    'Serverless::Serverless-LambdaDLQ',
    'Serverless::Serverless-LambdaTracing',
    'Serverless::Serverless-SQSRedrivePolicy',
  ]);
});
