import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { VpcFlowAlerts } from '../../lib/vpc-flow-alerts';
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
    expect(s3).toEqual([expect.objectContaining({
      Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::central-log-archive/AWSLogs/123456789012/vpcflowlogs/*']] },
      // A bucket of the same name in another account is never read.
      Condition: { StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } },
    })]);
    const kms = statements(template).filter((s) => JSON.stringify(s['Action']).includes('kms:Decrypt') && JSON.stringify(s['Resource']).includes(KEY));
    expect(kms).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': expect.stringMatching(/^s3\./) } } })]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.flowLogBucket]: 'central-log-archive', [ENV.flowLogPrefix]: 'AWSLogs/123456789012/vpcflowlogs/', [ENV.logGroups]: Match.absent() }) } });
  });

  it('lets the function send continuations (the rest of an object it ran out of time in) to the notification queue only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.notificationQueueUrl]: { Ref: Match.stringLikeRegexp('NotificationQueue') } }) } });
    // A chain of continuations is as long as the object: Lambda's loop detection must not cut it at 16.
    template.hasResourceProperties('AWS::Lambda::Function', { RecursiveLoop: 'Allow' });
    const sends = statements(template).filter((s) => JSON.stringify(s['Action']).includes('sqs:SendMessage') && JSON.stringify(s['Resource']).includes('NotificationQueue'));
    // Merged (minimizePolicies) with the same actions on the invocation dead-letter queue, the on-failure destination.
    expect(sends).toEqual([expect.objectContaining({
      Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^VpcFlowAlertsInvocationDeadLetterQueue/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^VpcFlowAlertsNotificationQueue/), 'Arn'] }],
    })]);
  });

  it('watches objects read, ignored, corrupt and refused, with alarms on the last two and on the notification dead-letter queue', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [METRICS.objectsRead, METRICS.objectsIgnored, METRICS.corruptObjects, METRICS.refusedObjects, METRICS.objectsContinued, METRICS.alertsSent]) expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain('s3://central-log-archive/AWSLogs/123456789012/vpcflowlogs/');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.corruptObjects });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.refusedObjects });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: 'Messages in the S3 notification dead-letter queue.' });
  });

  it('is configured from context, and refuses a missing bucket or a setting of another mode', () => {
    expect(stackPropsFromContext({ mode: 's3', flowLogBucket: 'central-log-archive' }).alerts).toMatchObject({ mode: 's3', flowLogBucket: 'central-log-archive' });
    expect(stackPropsFromContext({ mode: 's3', flowLogVpcId: 'vpc-0123456789abcdef0', alertMode: 'findings', lookbackMinutes: '30' }).alerts)
      .toMatchObject({ mode: 's3', flowLog: { vpcId: 'vpc-0123456789abcdef0' }, alertMode: 'findings', lookbackMinutes: 30 });
    expect(() => stackPropsFromContext({ mode: 's3' })).toThrow('flowLogBucket is missing: mode "s3" reads flow logs from a bucket; e.g. -c flowLogBucket=central-log-archive (or -c flowLogVpcId=vpc-0123456789abcdef0 to create a flow log to a new bucket)');
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'b-1', flowLogVpcId: 'vpc-0123456789abcdef0' })).toThrow(/flowLogVpcId creates a flow log to a new bucket, and flowLogBucket names an existing one: give one of them/);
    expect(() => stackPropsFromContext({ mode: 's3', flowLogVpcId: 'vpc-0123456789abcdef0', flowLogPrefix: 'x/' })).toThrow(/flowLogPrefix describes an existing bucket, and flowLogVpcId creates one/);
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'b-1', flowLogBucketAccount: '12345' })).toThrow(/flowLogBucketAccount=12345 is not a 12-digit AWS account id/);
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'b-1', logGroups: '/a' })).toThrow(/logGroups applies to mode "poll", "subscribe" only/);
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'Not_A_Bucket' })).toThrow(/flowLogBucket=Not_A_Bucket is not an S3 bucket name or ARN/);
  });
});

describe('s3 mode with findings and a flow log to a new bucket', () => {
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack({ alerts: { mode: 's3', flowLog: { vpcId: 'vpc-0123456789abcdef0' }, alertMode: 'findings', lookbackMinutes: 30 } }));
  });

  it('creates a private, encrypted, TLS-only bucket that announces new objects to EventBridge, and a flow log of gzip text to it', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })] },
    });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: 'vpc-0123456789abcdef0', ResourceType: 'VPC', TrafficType: 'REJECT', LogDestinationType: 's3', MaxAggregationInterval: 60,
      LogFormat: Match.stringLikeRegexp('^\\$\\{version\\} \\$\\{account-id\\}'),
    });
    const policy = JSON.stringify(Object.values(template.findResources('AWS::S3::BucketPolicy'))[0]);
    // TLS only; log delivery writes for this account's flow logs only.
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('"Service":"delivery.logs.amazonaws.com"');
    expect(policy).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
    expect(policy).toContain('"s3:x-amz-acl":"bucket-owner-full-control"');
  });

  it('reads that bucket\'s AWSLogs/ prefix, keeps finding state, and closes windows on a schedule', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.flowLogBucket]: { Ref: Match.stringLikeRegexp('FlowLogBucket') }, [ENV.flowLogPrefix]: 'AWSLogs/', [ENV.alertMode]: 'findings', [ENV.lookbackMinutes]: '30', [ENV.checkpointTable]: Match.anyValue() }) },
    });
    const read = statements(template).find((s) => s['Action'] === 's3:GetObject');
    expect(JSON.stringify(read?.['Resource'])).toMatch(/FlowLogBucket.*AWSLogs\/\*/);
    expect(statements(template).filter((s) => s['Sid'] === 'FindingState')).toEqual([expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] })]);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)', Target: Match.objectLike({ Input: JSON.stringify({ vpcFlowAlerts: 'close-findings' }) }) });
    const dashboard = JSON.stringify((Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: unknown }).Properties);
    expect(dashboard).toContain(`\\"${METRICS.findingsSent}\\"`);
  });
});

describe('s3 mode with a central bucket in another account', () => {
  it('lets that account put the bucket\'s Object Created events on the default bus, matches only its events, and reads only its bucket', () => {
    const { template } = buildStack({ alerts: { mode: 's3', flowLogBucket: 'central-log-archive', flowLogBucketAccount: '111122223333' } });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow', Action: 'events:PutEvents', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
        Condition: { 'ForAllValues:StringEquals': { 'events:source': ['aws.s3'] }, StringEquals: { 'events:detail-type': 'Object Created' } },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ account: ['111122223333'] }) });
    expect(statements(template).find((s) => s['Action'] === 's3:GetObject')).toMatchObject({ Condition: { StringEquals: { 's3:ResourceAccount': '111122223333' } } });
  });

  it('adds no bus permission for a bucket of its own account', () => {
    const { template } = buildStack({ alerts: { mode: 's3', flowLogBucket: 'central-log-archive' } });
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

describe('s3 mode settings checked at synth', () => {
  it('takes a bucket named only at deploy, and refuses it beside a flow log to a new bucket', () => {
    const stack = new Stack(new App(), 'Tokens');
    const bucket = new s3.Bucket(stack, 'Existing');
    expect(() => new VpcFlowAlerts(stack, 'A', { mode: 's3', flowLogBucket: bucket.bucketName })).not.toThrow();
    expect(() => new VpcFlowAlerts(stack, 'B', { mode: 's3', flowLogBucket: bucket.bucketName, flowLog: { vpcId: 'vpc-0123456789abcdef0' } }))
      .toThrow(/flowLogVpcId creates a flow log to a new bucket, and flowLogBucket names an existing one/);
    expect(() => new VpcFlowAlerts(stack, 'C', { mode: 's3', flowLog: { vpcId: 'vpc-nope' } })).toThrow(/flowLog.vpcId=vpc-nope is not a VPC id .*e\.g\. flowLog: \{ vpcId: 'vpc-0123456789abcdef0' \}/);
  });

  it('refuses a traffic type without a flow log to apply it to', () => {
    expect(() => stackPropsFromContext({ mode: 's3', flowLogBucket: 'b-1', flowLogTrafficType: 'ALL' })).toThrow(/flowLogTrafficType applies to the flow log the stack creates, and none is created: add -c flowLogVpcId=vpc-0123456789abcdef0/);
  });

  it('alarms when no object has been read for three hours', () => {
    const { template } = buildStack({ alerts: { mode: 's3', flowLogBucket: 'central-log-archive' } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: METRICS.objectsRead, Period: 3600, EvaluationPeriods: 3, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
  });
});
