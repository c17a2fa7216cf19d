import { App, Duration } from 'aws-cdk-lib';
import { ConfigError } from '../../lambda/core/errors';
import { stackPropsFromContext } from '../../lib/context-config';
import type { VpcFlowAlerts } from '../../lib/vpc-flow-alerts';
import { VpcFlowAlertsStack } from '../../lib/vpc-flow-alerts-stack';

function construct(props: ConstructorParameters<typeof VpcFlowAlerts>[2]): () => void {
  return () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new VpcFlowAlertsStack(app, 'Bad', { alerts: props });
  };
}

describe('invalid construct settings fail synth, naming the setting and the fix', () => {
  it.each([
    ['a log-group name that is not a valid name', { logGroups: [{ logGroupName: 'flow logs!' }] }, /logGroups: "flow logs!" is not a log group name/],
    ['no log group and no flow log', { logGroups: [] }, /logGroups: give at least one flow-log group/],
    ['a duplicate log group', { logGroups: [{ logGroupName: 'a' }, { logGroupName: 'a' }] }, /"a" is listed twice/],
    ['an unknown format field', { logGroups: [{ logGroupName: 'a', logFormat: '${version} ${src-addr}' }] }, /logFormat: a: LogFormat field "src-addr" is not a VPC flow log field/],
    ['a timeout not shorter than the interval', { logGroups: [{ logGroupName: 'a' }], functionTimeout: Duration.minutes(5) }, /functionTimeout: 5 minutes must be shorter than the schedule interval \(5 minutes\)/],
    ['a malformed queue ARN', { logGroups: [{ logGroupName: 'a' }], alertQueueArn: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q' }, /alertQueueArn: ".*" is not an SQS queue ARN/],
    ['a KMS key without an existing queue', { logGroups: [{ logGroupName: 'a' }], alertQueueKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' }, /alertQueueKmsKeyArn: only applies with alertQueueArn/],
    ['a schedule of seconds', { logGroups: [{ logGroupName: 'a' }], schedule: Duration.seconds(90), functionTimeout: Duration.seconds(60) }, /schedule: 1 minute 30 seconds is not a whole number of minutes/],
    ['a catch-up shorter than the lookback', { logGroups: [{ logGroupName: 'a' }], lookback: Duration.hours(3), maxCatchUp: Duration.hours(2) }, /maxCatchUp: must be a whole number of hours, at least the lookback/],
  ])('%s', (_name, props, message) => {
    expect(construct(props)).toThrow(ConfigError);
    expect(construct(props)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(construct({ logGroups: [{ logGroupName: 'bad name' }], alertQueueArn: 'nope', functionTimeout: Duration.minutes(10) })).toThrow(
      /logGroups:[\s\S]*functionTimeout:[\s\S]*alertQueueArn:/,
    );
  });
});

describe('CDK context (cdk.json and -c flags)', () => {
  const fromContext = (context: Record<string, unknown>) => stackPropsFromContext((key) => context[key]);

  it('reads the example settings cdk.json ships', () => {
    expect(fromContext({ logGroups: '/aws/vpc/flowlogs' })).toMatchObject({ stackName: 'VpcFlowAlerts', alerts: { logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }] } });
  });

  it('reads -c strings: several groups sharing a format and pattern, numbers, queue, e-mail', () => {
    const props = fromContext({
      logGroups: '/a, /b', logFormat: '${version} ${srcaddr}', filterPattern: 'REJECT', scheduleMinutes: '10', functionTimeoutSeconds: '300',
      lookbackMinutes: '20', maxEventsPerRun: '8000', maxCatchUpHours: '48', lagAlarmMinutes: '45', memoryMiB: '1024',
      alertQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q', alarmEmail: 'soc@example.com', stackName: 'FlowAlertsProd',
    });
    expect(props.alerts.logGroups).toEqual([
      { logGroupName: '/a', logFormat: '${version} ${srcaddr}', filterPattern: 'REJECT' },
      { logGroupName: '/b', logFormat: '${version} ${srcaddr}', filterPattern: 'REJECT' },
    ]);
    expect(props).toMatchObject({ stackName: 'FlowAlertsProd', alarmEmail: 'soc@example.com', alerts: { maxEventsPerRun: 8000, memorySize: 1024, alertQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q' } });
    expect(props.alerts.schedule?.toMinutes()).toBe(10);
    expect(props.alerts.functionTimeout?.toSeconds()).toBe(300);
    expect(props.alerts.lagAlarmThreshold?.toMinutes()).toBe(45);
  });

  it('lets -c logGroups= clear the cdk.json example when the stack creates the flow log', () => {
    expect(fromContext({ logGroups: '', flowLogVpcId: 'vpc-0123456789abcdef0' }).alerts).toEqual({ logGroups: [], flowLog: { vpcId: 'vpc-0123456789abcdef0' } });
  });

  it('reads a JSON array of groups with their own formats', () => {
    const props = fromContext({ logGroups: [{ logGroupName: '/a', logFormat: '${srcaddr}' }, '/b'] });
    expect(props.alerts.logGroups).toEqual([{ logGroupName: '/a', logFormat: '${srcaddr}' }, { logGroupName: '/b' }]);
  });

  it('names each bad context key with its fix', () => {
    expect(() => fromContext({ scheduleMinutes: 'often', alarmEmail: 'nobody', flowLogVpcId: 'my-vpc', flowLogTrafficType: 'SOME' })).toThrow(ConfigError);
    try {
      fromContext({ scheduleMinutes: 'often', alarmEmail: 'nobody', flowLogVpcId: 'my-vpc', flowLogTrafficType: 'SOME', logGroups: '{bad' });
    } catch (error) {
      const { message, settings } = error as ConfigError;
      expect([...settings].sort()).toEqual(['alarmEmail', 'flowLogTrafficType', 'flowLogVpcId', 'scheduleMinutes']);
      expect(message).toContain('context "scheduleMinutes": "often" must be a whole number from 1 to 1440');
      expect(message).toContain('context "flowLogVpcId": "my-vpc" is not a VPC id');
    }
    expect(() => fromContext({})).toThrow(/context "logGroups": give the flow-log group\(s\) to poll/);
    expect(() => fromContext({ logGroups: '[{"x":1}]' })).toThrow(/context "logGroups": entry/);
  });
});
