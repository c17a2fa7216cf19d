import type { VpcFlowAlertsProps } from '../../lib/vpc-flow-alerts';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambda/settings/settings-table';
import { stackPropsFromContext } from '../../lib/context-config';
import { buildStack } from './build';

type Json = Record<string, unknown>;
const GROUPS = [{ logGroupName: '/aws/vpc/flowlogs' }, { logGroupName: '/aws/vpc/app', logFormat: '${srcaddr} ${action}', filterPattern: 'REJECT' }];

function policyStatements(template: ReturnType<typeof buildStack>['template']): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => ((p as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement),
  );
}

describe('push mode, direct subscription', () => {
  // Synthesized when the tests run, not when jest collects them.
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack({ alerts: { mode: 'subscribe', logGroups: GROUPS } }));
  });

  it('creates one subscription filter per log group, with its filter pattern, targeting the function', () => {
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/vpc/flowlogs', FilterPattern: '?REJECT ?SKIPDATA', FilterName: 'vpc-flow-alerts',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Function'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: '/aws/vpc/app', FilterPattern: 'REJECT' });
  });

  it('lets CloudWatch Logs invoke the function only from each subscribed log group', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => (p as { Properties: Json }).Properties);
    expect(permissions).toHaveLength(2);
    for (const [i, name] of ['/aws/vpc/flowlogs', '/aws/vpc/app'].entries()) {
      expect(permissions[i]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'logs.amazonaws.com' });
      expect(JSON.stringify(permissions[i]?.['SourceArn'])).toContain(`:log-group:${name}:*`);
    }
  });

  it('leaves out the schedule, the checkpoint table and FilterLogEvents, and lets the function scale out', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(JSON.stringify(policyStatements(template))).not.toContain('logs:FilterLogEvents');
    expect(JSON.stringify(policyStatements(template))).not.toContain('dynamodb:');
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: Json };
    expect(fn.Properties['ReservedConcurrentExecutions']).toBeUndefined();
    const variables = (fn.Properties['Environment'] as { Variables: Json }).Variables;
    expect(Object.keys(variables).sort()).toEqual([ENV.logGroups, ENV.queueUrl, ENV.quarantineQueueUrl, 'NODE_OPTIONS'].sort());
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: Match.anyValue() } });
  });

  it('alarms on send failures, corrupt and refused deliveries, function errors and dead letters, not on polling', () => {
    const metrics = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: Json }).Properties['MetricName']);
    expect(metrics.sort()).toEqual([
      'ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible',
      'CorruptDeliveries', 'RefusedDeliveries', 'Errors', 'SendFailures', 'SendFailures', 'Throttles',
    ].sort());
  });
});

describe('push mode through Kinesis', () => {
  // Synthesized when the tests run, not when jest collects them.
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack({ alerts: { mode: 'subscribe', kinesisShards: 2, logGroups: GROUPS } }));
  });

  it('writes deliveries to an encrypted stream that CloudWatch Logs may put records into', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 2, RetentionPeriodHours: 168, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/vpc/flowlogs',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliveryStream'), 'Arn'] },
      RoleArn: Match.anyValue(),
    });
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it('lets CloudWatch Logs assume the stream-writing role only for this account and the subscribed groups', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Array<{ Properties: Json }>;
    const logsRole = roles.find((r) => JSON.stringify(r.Properties['AssumeRolePolicyDocument']).includes('logs.amazonaws.com'));
    const statement = (logsRole?.Properties['AssumeRolePolicyDocument'] as { Statement: Json[] }).Statement;
    expect(statement).toHaveLength(1);
    const condition = statement[0]?.['Condition'] as { StringEquals: Json; ArnLike: { 'aws:SourceArn': unknown[] } };
    expect(condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    const arns = JSON.stringify(condition.ArnLike['aws:SourceArn']);
    for (const group of GROUPS) expect(arns).toContain(`:log-group:${group.logGroupName}`);
    expect(condition.ArnLike['aws:SourceArn']).toHaveLength(GROUPS.length * 2);
  });

  it('reads the stream in batches with bisect-on-error and partial batch responses, retrying until records expire', () => {
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0] as { Properties: Json };
    expect(mapping.Properties['MaximumRetryAttempts']).toBeUndefined();
    expect(mapping.Properties['MaximumRecordAgeInSeconds']).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliveryStream'), 'Arn'] },
      StartingPosition: 'TRIM_HORIZON', BatchSize: 100, MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true, FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('InvocationDeadLetterQueue'), 'Arn'] } } },
    });
  });

  it('alarms on the iterator age and grants no "*" resource', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 600_000, Statistic: 'Maximum' });
    for (const statement of policyStatements(template)) {
      expect(([] as unknown[]).concat(statement['Resource'])).not.toContain('*');
      for (const action of ([] as unknown[]).concat(statement['Action'])) expect(String(action)).not.toContain('*');
    }
    expect(Object.keys(template.findOutputs('DeliveryStreamName'))).toHaveLength(1);
  });
});

describe('choosing the mode', () => {
  it('is one context setting, with kinesisShards for the stream', () => {
    const props = stackPropsFromContext({ logGroups: '/aws/vpc/flowlogs', mode: 'subscribe', kinesisShards: '4' });
    expect(props.alerts).toMatchObject({ mode: 'subscribe', kinesisShards: 4 });
    expect(() => stackPropsFromContext({ logGroups: 'a', mode: 'push' })).toThrow('mode=push must be "poll" or "subscribe" or "s3"; e.g. -c mode=subscribe');
  });

  it('refuses a stream in poll mode (a type error in TypeScript; checked at synth for JavaScript)', () => {
    const props = { logGroups: GROUPS, kinesisShards: 1 } as unknown as VpcFlowAlertsProps;
    expect(() => buildStack({ alerts: props })).toThrow('kinesisShards applies to mode "subscribe" only, and the mode is "poll"');
  });
});
