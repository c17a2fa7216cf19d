import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambda/settings/settings-table';
import { FINDING_METRICS, METRICS } from '../../lambda/settings/metric-names';

const FINDINGS_ONLY: string[] = [METRICS.findingsSent, METRICS.flowsSuppressed, METRICS.allowlistedFlows, METRICS.lateFlows, METRICS.findingSendFailures, METRICS.findingStateResets, ...Object.values(FINDING_METRICS)];
import { RECOMMENDED_LOG_FORMAT } from '../../lib/flow-log';
import type { VpcFlowAlertsProps } from '../../lib/vpc-flow-alerts';
import { buildStack, DEFAULT_ALERTS } from './build';

type Json = Record<string, unknown>;

function resourcesOf(template: ReturnType<typeof buildStack>['template'], type: string): Json[] {
  return Object.values(template.findResources(type)) as Json[];
}

describe('VpcFlowAlertsStack', () => {
  // Synthesized when the tests run, not when jest collects them.
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack());
  });

  it('runs the poller every 5 minutes through EventBridge Scheduler, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Function'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('InvocationDeadLetterQueue'), 'Arn'] } },
      },
    });
  });

  it('configures the function: current Node.js on arm64, memory, timeout under the interval, no reserved concurrency, settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 240,
      ReservedConcurrentExecutions: Match.absent(),
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('FunctionLogs') } },
      Environment: {
        Variables: {
          [ENV.logGroups]: JSON.stringify([{ name: '/aws/vpc/flowlogs', filterPattern: '?REJECT ?SKIPDATA' }]),
          [ENV.queueUrl]: { Ref: Match.stringLikeRegexp('AlertQueue') },
          [ENV.quarantineQueueUrl]: { Ref: Match.stringLikeRegexp('QuarantineQueue') },
          [ENV.checkpointTable]: { Ref: Match.stringLikeRegexp('CheckpointTable') },
          [ENV.lookbackMinutes]: '15',
          [ENV.maxEventsPerRun]: '5000',
          [ENV.maxCatchUpHours]: '24',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('InvocationDeadLetterQueue'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('grants the function exactly its log group, queue, table and own logs, with no managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('FunctionRole') }],
      PolicyDocument: {
        Statement: [
          { Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionLogs'), 'Arn'] } },
          {
            Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('InvocationDeadLetterQueue'), 'Arn'] },
          },
          {
            Sid: 'SendAlerts', Effect: 'Allow', Action: 'sqs:SendMessage',
            Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('AlertQueue'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('QuarantineQueue'), 'Arn'] }],
          },
          {
            Sid: 'ReadFlowLogs', Effect: 'Allow', Action: 'logs:FilterLogEvents',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/vpc/flowlogs:*']] },
          },
          {
            Sid: 'Checkpoint', Effect: 'Allow',
            Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('CheckpointTable'), 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ScheduleRole') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow', Action: 'lambda:InvokeFunction',
            Resource: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('Function'), 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Function'), 'Arn'] }, ':*']] },
            ],
          },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('InvocationDeadLetterQueue'), 'Arn'] } },
        ],
      },
    });
    for (const role of resourcesOf(template, 'AWS::IAM::Role')) {
      expect((role['Properties'] as Json)['ManagedPolicyArns']).toBeUndefined();
    }
  });

  it.each([
    ['poll', {}],
    ['push through Kinesis', { mode: 'subscribe' as const, kinesisShards: 2 }],
    ['a created flow log and an existing queue', { flowLog: { vpcId: 'vpc-0123456789abcdef0' }, alertQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q', alertQueueKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k' }],
  ])('has no "*" action and no wildcard resource but the ":*" ARN suffixes, in %s', (_name, alerts) => {
    const { template: t } = buildStack({ alerts: { ...DEFAULT_ALERTS, ...alerts } as VpcFlowAlertsProps });
    const policies = resourcesOf(t, 'AWS::IAM::Policy');
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      for (const statement of ((policy['Properties'] as Json)['PolicyDocument'] as { Statement: Json[] }).Statement) {
        for (const action of ([] as unknown[]).concat(statement['Action'])) expect(String(action)).not.toContain('*');
        for (const resource of ([] as unknown[]).concat(statement['Resource'])) {
          // Every "*" in a resource, literal or inside a Fn::Join, is the ":*" suffix of an ARN.
          expect(JSON.stringify(resource).replace(/:\*"/g, '"')).not.toContain('*');
        }
      }
    }
  });

  it('lets only the function send to the alert queue it creates, and a sender the user names', () => {
    const statement = (t: ReturnType<typeof buildStack>['template']) =>
      resourcesOf(t, 'AWS::SQS::QueuePolicy')
        .flatMap((p) => ((p['Properties'] as Json)['PolicyDocument'] as { Statement: Json[] }).Statement)
        .find((s) => s['Sid'] === 'OnlyVpcFlowAlertsSends');
    expect(statement(template)).toEqual({
      Sid: 'OnlyVpcFlowAlertsSends', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^VpcFlowAlertsAlertQueue/), 'Arn'] },
      Condition: { StringNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [expect.stringMatching(/FunctionRole/), 'Arn'] }] } },
    });
    const tester = 'arn:aws:iam::123456789012:role/alert-pipeline-test';
    const { template: withTester } = buildStack({ alerts: { ...DEFAULT_ALERTS, alertQueueSenderArns: [tester] } });
    expect(statement(withTester)?.['Condition']).toEqual({ StringNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [expect.stringMatching(/FunctionRole/), 'Arn'] }, tester] } });
  });

  it('reserves concurrency only when asked', () => {
    const { template: reserved } = buildStack({ alerts: { ...DEFAULT_ALERTS, reservedConcurrency: 2 } });
    reserved.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 2 });
  });

  it('encrypts every queue, denies non-TLS access, keeps messages 14 days, and redrives alerts after 5 receives', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    // Alerts, their dead-letter queue, failed invocations, quarantined records.
    expect(queues).toHaveLength(4);
    for (const queue of queues) {
      expect(queue['Properties']).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(((policy['Properties'] as Json)['PolicyDocument'] as { Statement: Json[] }).Statement[0]).toMatchObject({
        Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('keeps the checkpoint table on demand, with point-in-time recovery, TTL, and retained on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('alarms on function errors and throttles, poll errors, send failures, lag, throttling and dead letters', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map((a) => a['Properties'] as Json);
    const find = (namespace: string, metric: string) => alarms.filter((a) => a['Namespace'] === namespace && a['MetricName'] === metric);
    expect(find('AWS/Lambda', 'Errors')[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    expect(find('AWS/Lambda', 'Throttles')[0]).toMatchObject({ Threshold: 1 });
    const dimensions = [{ Name: 'LogGroup', Value: '/aws/vpc/flowlogs' }, { Name: 'service', Value: 'vpc-flow-alerts' }];
    expect(find('VpcFlowAlerts', METRICS.pollErrors)[0]).toMatchObject({ Threshold: 1, EvaluationPeriods: 2, DatapointsToAlarm: 2, Statistic: 'Sum', Period: 300, Dimensions: dimensions });
    expect(find('VpcFlowAlerts', METRICS.sendFailures)[0]).toMatchObject({ Threshold: 1, Statistic: 'Sum' });
    expect(find('VpcFlowAlerts', METRICS.lagSeconds)[0]).toMatchObject({
      Threshold: 1800, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum', TreatMissingData: 'breaching', EvaluationPeriods: 3,
    });
    expect(find('VpcFlowAlerts', METRICS.throttles)[0]).toMatchObject({ Threshold: 10, EvaluationPeriods: 3 });
    expect(find('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) expect(alarm['AlarmActions']).toBeUndefined();
  });

  it('has a dashboard with the function, every poller metric, queue depth and age, and dead-letter depths', () => {
    const dashboard = resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0];
    const body = JSON.stringify((dashboard?.['Properties'] as Json)['DashboardBody']);
    const otherModes: string[] = [METRICS.corruptDeliveries, METRICS.refusedDeliveries, METRICS.objectsRead, METRICS.objectsIgnored, METRICS.corruptObjects, METRICS.refusedObjects, METRICS.objectsContinued];
    for (const metric of Object.values(METRICS).filter((m) => !otherModes.includes(m) && !FINDINGS_ONLY.includes(m))) expect(body).toContain(`\\"${metric}\\"`);
    // alertMode flows (the default): no detectors, no finding widgets.
    for (const metric of FINDINGS_ONLY) expect(body).not.toContain(`\\"${metric}\\"`);
    for (const metric of ['Invocations', 'Errors', 'Duration', 'Throttles', 'ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
  });

  it('outputs the queue URL and ARN, the dashboard URL, the table and the function', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['AlertQueueArn', 'AlertQueueUrl', 'CheckpointTableName', 'DashboardUrl', 'FunctionLogGroupName', 'FunctionName', 'FunctionRoleArn', 'PollerFunctionName', 'QuarantineQueueUrl']);
    // The deprecated alias names the same function, and says so.
    expect(template.findOutputs('PollerFunctionName')['PollerFunctionName']).toMatchObject({ Description: 'Deprecated: use FunctionName (removed in 0.3)', Value: template.findOutputs('FunctionName')['FunctionName']?.['Value'] });
  });
});

describe('VpcFlowAlertsStack options', () => {
  it('sends to an existing FIFO queue encrypted with a customer key, creating no queue of its own for alerts', () => {
    const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:alerts.fifo';
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template } = buildStack({ alerts: { logGroups: [{ logGroupName: 'a' }], alertQueueArn: queueArn, alertQueueKmsKeyArn: keyArn } });
    // Failed invocations and quarantined records only: no alert queue, no policy on the user's queue.
    expect(resourcesOf(template, 'AWS::SQS::Queue')).toHaveLength(2);
    expect(JSON.stringify(template.toJSON())).not.toContain('OnlyVpcFlowAlertsSends');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'SendAlerts', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [queueArn, { 'Fn::GetAtt': [Match.stringLikeRegexp('QuarantineQueue'), 'Arn'] }] },
          { Sid: 'EncryptAlerts', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
        ]),
      },
    });
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[0];
    const queueUrl = JSON.stringify(((fn?.['Properties'] as Json)['Environment'] as { Variables: Json }).Variables[ENV.queueUrl]);
    expect(queueUrl).toContain('https://sqs.eu-west-1.');
    expect(queueUrl).toContain('/123456789012/alerts.fifo');
  });

  it('creates the VPC flow log with 1-minute aggregation and the recommended format, and polls it', () => {
    const { template } = buildStack({ alerts: { flowLog: { vpcId: 'vpc-0123456789abcdef0' } } });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: 'vpc-0123456789abcdef0', ResourceType: 'VPC', TrafficType: 'REJECT', MaxAggregationInterval: 60,
      LogDestinationType: 'cloud-watch-logs', LogFormat: RECOMMENDED_LOG_FORMAT,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[0];
    const groups = JSON.stringify(((fn?.['Properties'] as Json)['Environment'] as { Variables: Json }).Variables[ENV.logGroups]);
    expect(groups).toContain(RECOMMENDED_LOG_FORMAT.slice(0, 40));
    expect(Object.keys(template.findOutputs('FlowLogGroupName'))).toHaveLength(1);
  });

  it('notifies an encrypted SNS topic with an e-mail subscription from every alarm', () => {
    const { template } = buildStack({ alarmEmail: 'secops@example.com' });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(Object.keys(template.findOutputs('AlarmTopicKeyArn'))).toHaveLength(1);
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm['Properties']).toMatchObject({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
    }
  });

  it('passes the poller settings through', () => {
    const { template } = buildStack({
      alerts: { logGroups: [{ logGroupName: 'g', filterPattern: 'REJECT' }], lookbackMinutes: 30, maxEventsPerRun: 9000, maxCatchUpHours: 48, scheduleMinutes: 10, functionTimeoutSeconds: 480, filterRequestsPerSecond: 2 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 480,
      Environment: { Variables: Match.objectLike({ [ENV.lookbackMinutes]: '30', [ENV.maxEventsPerRun]: '9000', [ENV.maxCatchUpHours]: '48', [ENV.filterRequestsPerSecond]: '2', [ENV.logGroups]: JSON.stringify([{ name: 'g', filterPattern: 'REJECT' }]) }) },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(10 minutes)' });
  });

  it('passes the classification settings to the function', () => {
    const { template: t } = buildStack({
      alerts: { logGroups: [{ logGroupName: 'g' }], severityProfile: 'exposure', internalCidrs: ['203.0.113.0/24', '2001:db8::/32'], severityRules: '[{"direction":["inbound"],"severity":"high"}]' },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.severityProfile]: 'exposure', [ENV.internalCidrs]: '203.0.113.0/24,2001:db8::/32', [ENV.severityRules]: '[{"direction":["inbound"],"severity":"high"}]' }) },
    });
  });
});
