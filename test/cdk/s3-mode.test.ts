import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambda/settings/settings-table';
import { METRICS } from '../../lambda/settings/metric-names';
import { stackPropsFromContext } from '../../lib/context-config';
import { buildStack } from './build';

type Json = Record<string, unknown>;
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function statements(template: ReturnType<typeof buildStack>['template']): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement);
}

describe('s3 mode', () => {
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack({ alerts: { mode: 's3', flowLogBucket: 'arn:aws:s3:::central-log-archive', flowLogPrefix: 'AWSLogs/123456789012/vpcflowlogs/', flowLogBucketKmsKeyArn: KEY } }));
  });

  it('routes the bucket\'s Object Created events under the prefix through EventBridge to an encrypted notification queue with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['central-log-archive'] }, object: { key: [{ prefix: 'AWSLogs/123456789012/vpcflowlogs/' }] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotificationQueue'), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true, VisibilityTimeout: 1440,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotificationDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
  });

  it('lets the function read objects under the prefix and decrypt with the given key through S3, and nothing else of S3 or KMS', () => {
    const s3 = statements(template).filter((s) => JSON.stringify(s['Action']).includes('s3:'));
    expect(s3).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::central-log-archive/AWSLogs/123456789012/vpcflowlogs/*']] } })]);
    const kms = statements(template).filter((s) => JSON.stringify(s['Action']).includes('kms:Decrypt') && JSON.stringify(s['Resource']).includes(KEY));
    expect(kms).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': expect.stringMatching(/^s3\./) } } })]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.flowLogBucket]: 'central-log-archive', [ENV.flowLogPrefix]: 'AWSLogs/123456789012/vpcflowlogs/', [ENV.logGroups]: Match.absent() }) } });
  });

  it('watches objects read, ignored, corrupt and refused, with alarms on the last two and on the notification dead-letter queue', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [METRICS.objectsRead, METRICS.objectsIgnored, METRICS.corruptObjects, METRICS.refusedObjects, METRICS.alertsSent]) expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain('s3://central-log-archive/AWSLogs/123456789012/vpcflowlogs/');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.corruptObjects });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.refusedObjects });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: 'Messages in the S3 notification dead-letter queue.' });
  });

  it('is configured from context, and refuses a missing bucket or a setting of another mode', () => {
    expect(stackPropsFromContext({ mode: 's3', flowLogBucket: 'central-log-archive' }).alerts).toMatchObject({ mode: 's3', flowLogBucket: 'central-log-archive' });
    expect(() => stackPropsFromContext({ mode: 's3' })).toThrow('flowLogBucket is missing: mode "s3" reads flow logs from a bucket; e.g. -c flowLogBucket=central-log-archive');
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'b-1', logGroups: '/a' })).toThrow(/logGroups applies to mode "poll", "subscribe" only/);
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'Not_A_Bucket' })).toThrow(/flowLogBucket=Not_A_Bucket is not an S3 bucket name or ARN/);
  });
});
