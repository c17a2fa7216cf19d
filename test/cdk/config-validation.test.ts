import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ConfigError } from '../../lambda/core/errors';
import { SETTINGS_ERROR_HEADER } from '../../lambda/settings/check-settings';
import { stackPropsFromContext } from '../../lib/context-config';
import type { VpcFlowAlertsProps } from '../../lib/vpc-flow-alerts';
import { VpcFlowAlerts } from '../../lib/vpc-flow-alerts';
import { VpcFlowAlertsStack } from '../../lib/vpc-flow-alerts-stack';

/** The ConfigError `work` throws; fails the test when it throws nothing or something else. */
function configErrorOf(work: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    work();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

function construct(props: unknown): () => void {
  return () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new VpcFlowAlertsStack(app, 'Bad', { alerts: props as VpcFlowAlertsProps });
  };
}

describe('invalid construct props fail synth, naming the prop, the value and a value that works', () => {
  it.each([
    ['a log-group name that is not a valid name', { logGroups: [{ logGroupName: 'flow logs!' }] }, 'logGroups: "flow logs!" is not a log group name (1-512 of a-z A-Z 0-9 _ - / . #); e.g. logGroups: "/aws/vpc/flowlogs"'],
    ['no log group and no flow log', { logGroups: [] }, 'logGroups is empty; give at least one flow-log group'],
    ['a duplicate log group', { logGroups: [{ logGroupName: 'a' }, { logGroupName: 'a' }] }, 'logGroups: "a" is listed twice'],
    ['an unknown format field', { logGroups: [{ logGroupName: 'a', logFormat: '${version} ${src-addr}' }] }, 'logFormat of a: LogFormat field "src-addr" is not a VPC flow log field'],
    ['a timeout not shorter than the interval', { logGroups: [{ logGroupName: 'a' }], functionTimeoutSeconds: 300 }, 'scheduleMinutes=5 needs functionTimeoutSeconds below 300 (runs must end before the next one starts), and it is 300; e.g. functionTimeoutSeconds: 240'],
    ['a one-minute interval', { logGroups: [{ logGroupName: 'a' }], scheduleMinutes: 1 }, 'scheduleMinutes=1 needs functionTimeoutSeconds below 60 (runs must end before the next one starts), and it is 240; e.g. functionTimeoutSeconds: 50'],
    ['a malformed queue ARN', { logGroups: [{ logGroupName: 'a' }], alertQueueArn: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q' }, 'alertQueueArn=https://sqs.eu-west-1.amazonaws.com/123456789012/q is not an SQS queue ARN'],
    ['a KMS key without an existing queue', { logGroups: [{ logGroupName: 'a' }], alertQueueKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' }, 'alertQueueKmsKeyArn only applies with alertQueueArn'],
    ['an interval out of range', { logGroups: [{ logGroupName: 'a' }], scheduleMinutes: 0 }, 'scheduleMinutes=0 must be a whole number from 1 to 1440; e.g. scheduleMinutes: 10'],
    ['a catch-up shorter than the lookback', { logGroups: [{ logGroupName: 'a' }], lookbackMinutes: 180, maxCatchUpHours: 2 }, 'lookbackMinutes=180 needs maxCatchUpHours of at least 3, and it is 2; e.g. maxCatchUpHours: 3'],
    ['a poll-only prop in push mode (from JavaScript)', { logGroups: [{ logGroupName: 'a' }], mode: 'subscribe', scheduleMinutes: 10 }, 'scheduleMinutes applies to mode "poll" only, and the mode is "subscribe": remove it, or set mode: "poll"'],
    ['a stream in poll mode (from JavaScript)', { logGroups: [{ logGroupName: 'a' }], kinesisShards: 1 }, 'kinesisShards applies to mode "subscribe" only, and the mode is "poll"'],
    ['an unknown mode', { logGroups: [{ logGroupName: 'a' }], mode: 'push' }, 'mode=push must be "poll" or "subscribe" or "s3"; e.g. mode: "subscribe"'],
  ])('%s', (_name, props, message) => {
    const error = configErrorOf(construct(props));
    expect(error.message.startsWith(`${SETTINGS_ERROR_HEADER}\n`)).toBe(true);
    expect(error.message).toContain(message);
  });

  it('allows a timeout of up to 15 minutes in push mode, where there is no schedule', () => {
    expect(construct({ logGroups: [{ logGroupName: 'a' }], mode: 'subscribe', functionTimeoutSeconds: 900 })).not.toThrow();
  });

  it('lists every problem at once', () => {
    const error = configErrorOf(construct({ logGroups: [{ logGroupName: 'bad name' }], alertQueueArn: 'nope', functionTimeoutSeconds: 600 }));
    expect([...error.settings].sort()).toEqual(['alertQueueArn', 'functionTimeoutSeconds', 'logGroups']);
  });
});

describe('CDK context (cdk.json and -c flags)', () => {
  it('reads the example settings cdk.json ships', () => {
    expect(stackPropsFromContext({ logGroups: '/aws/vpc/flowlogs' })).toMatchObject({ stackName: 'VpcFlowAlerts', alerts: { logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }] } });
  });

  it('reads -c strings: several groups sharing a format and pattern, numbers, queue, e-mail', () => {
    const props = stackPropsFromContext({
      logGroups: '/a, /b', logFormat: '${version} ${srcaddr}', filterPattern: 'REJECT', scheduleMinutes: '10', functionTimeoutSeconds: '300',
      lookbackMinutes: '20', maxEventsPerRun: '8000', maxCatchUpHours: '48', lagAlarmMinutes: '45', memoryMiB: '1024',
      alertQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q', alarmEmail: 'soc@example.com', stackName: 'FlowAlertsProd',
    });
    expect(props.alerts.logGroups).toEqual([
      { logGroupName: '/a', logFormat: '${version} ${srcaddr}', filterPattern: 'REJECT' },
      { logGroupName: '/b', logFormat: '${version} ${srcaddr}', filterPattern: 'REJECT' },
    ]);
    expect(props).toEqual({
      stackName: 'FlowAlertsProd', alarmEmail: 'soc@example.com',
      alerts: {
        logGroups: props.alerts.logGroups, scheduleMinutes: 10, functionTimeoutSeconds: 300, lookbackMinutes: 20, maxEventsPerRun: 8000,
        maxCatchUpHours: 48, lagAlarmMinutes: 45, memoryMiB: 1024, alertQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q',
      },
    });
  });

  it('takes an empty value as a value: -c filterPattern= reads everything, -c logGroups= gives none', () => {
    expect(stackPropsFromContext({ logGroups: '/a', filterPattern: '' }).alerts.logGroups).toEqual([{ logGroupName: '/a', filterPattern: '' }]);
    expect(stackPropsFromContext({ logGroups: '', flowLogVpcId: 'vpc-0123456789abcdef0' }).alerts).toEqual({ logGroups: [], flowLog: { vpcId: 'vpc-0123456789abcdef0' } });
  });

  it('reads a JSON array of groups with their own formats', () => {
    const props = stackPropsFromContext({ logGroups: [{ logGroupName: '/a', logFormat: '${srcaddr}' }, '/b'] });
    expect(props.alerts.logGroups).toEqual([{ logGroupName: '/a', logFormat: '${srcaddr}' }, { logGroupName: '/b' }]);
  });

  it('fails on a misspelled key, naming the closest setting; CDK\'s own keys pass', () => {
    const error = configErrorOf(() => stackPropsFromContext({ logGroups: '/a', logGroup: '/typo/key', '@aws-cdk/core:checkSecretUsage': true, 'aws:cdk:bundling-stacks': [] }));
    expect(error.message).toContain('logGroup is not a setting: did you mean logGroups?');
    expect(error.settings).toEqual(['logGroup']);
    expect(configErrorOf(() => stackPropsFromContext({ logGroups: '/a', frobnicate: '1' })).message).toContain('frobnicate is not a setting (the README lists every setting)');
  });

  it('fails on a setting the mode does not use, saying which mode uses it', () => {
    const error = configErrorOf(() => stackPropsFromContext({ logGroups: '/a', mode: 'subscribe', scheduleMinutes: '10', maxEventsPerRun: '30' }));
    expect(error.message).toContain('scheduleMinutes applies to mode "poll" only, and the mode is "subscribe": remove it, or set -c mode=poll');
    expect(error.message).toContain('maxEventsPerRun applies to mode "poll" only');
  });

  it('names each bad key with the value given and a value that works, under one header', () => {
    const error = configErrorOf(() => stackPropsFromContext({ scheduleMinutes: 'often', alarmEmail: 'nobody', flowLogVpcId: 'my-vpc', flowLogTrafficType: 'SOME', logGroups: '/a' }));
    expect([...error.settings].sort()).toEqual(['alarmEmail', 'flowLogTrafficType', 'flowLogVpcId', 'scheduleMinutes']);
    expect(error.message.split('\n')[0]).toBe(SETTINGS_ERROR_HEADER);
    expect(error.message).toContain('scheduleMinutes=often must be a whole number from 1 to 1440; e.g. -c scheduleMinutes=10');
    expect(error.message).toContain('flowLogVpcId=my-vpc is not a VPC id (vpc-0123456789abcdef0); e.g. -c flowLogVpcId=vpc-0123456789abcdef0');
    expect(error.message).toContain('flowLogTrafficType=SOME must be "REJECT" or "ALL" or "ACCEPT"');
    expect(configErrorOf(() => stackPropsFromContext({ scheduleMinutes: '1', logGroups: '/a' })).message).toContain(
      'scheduleMinutes=1 needs functionTimeoutSeconds below 60 (runs must end before the next one starts), and it is 240; e.g. -c functionTimeoutSeconds=50',
    );
    expect(configErrorOf(() => stackPropsFromContext({ logGroups: '' })).message).toContain('logGroups is empty; give the flow-log group(s) to read, e.g. -c logGroups=/aws/vpc/flowlogs');
    // Without the key, the usual group (and none when the stack creates the flow log, or reads S3).
    expect(stackPropsFromContext({}).alerts).toMatchObject({ logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }] });
    expect(stackPropsFromContext({ flowLogVpcId: 'vpc-0123456789abcdef0' }).alerts).toMatchObject({ logGroups: [] });
    expect(configErrorOf(() => stackPropsFromContext({ logGroups: '[{"x":1}]' })).message).toContain('has the entry {"x":1}');
  });

  it('leaves alone the keys the CDK CLI writes itself, and reports a kebab-case near miss', () => {
    expect(() => stackPropsFromContext({ logGroups: '/a', 'acknowledged-issue-numbers': [34892], 'cli-telemetry': false, notices: false })).not.toThrow();
    expect(configErrorOf(() => stackPropsFromContext({ logGroups: '/a', 'log-groups': '/b' })).message).toContain('log-groups is not a setting: did you mean logGroups?');
  });
});

describe('construct props known only at deploy (tokens)', () => {
  it('are left to CloudFormation, not rejected', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Tokens');
    const memory = new CfnParameter(stack, 'Memory', { type: 'Number', default: 1024 });
    const tester = new iam.Role(stack, 'Tester', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => new VpcFlowAlerts(stack, 'Alerts', { logGroups: [{ logGroupName: '/a' }], memoryMiB: memory.valueAsNumber, alertQueueSenderArns: [tester.roleArn] })).not.toThrow();
  });

  it('still checks the values known at synth', () => {
    expect(configErrorOf(construct({ logGroups: [{ logGroupName: 'a' }], alertQueueMaxReceiveCount: -3 })).message).toContain('alertQueueMaxReceiveCount=-3 must be a whole number from 1 to 1000');
    expect(configErrorOf(construct({ logGroups: [{ logGroupName: 'a' }], alertQueueSenderArns: ['arn:aws:sts::123456789012:assumed-role/r/s'] })).message).toContain('alertQueueSenderArns=');
  });

  it('check the classification settings at synth, naming the rule and the field', () => {
    const error = configErrorOf(() => stackPropsFromContext({
      logGroups: '/a', severityProfile: 'loud', internalCidrs: '203.0.113.0/24,10.0.0.0/99',
      severityRules: JSON.stringify([{ direction: ['inbound'], severity: 'high' }, { dst_ports: ['ssh'], severity: 'medium' }]),
    }));
    expect(error.message).toContain('severityProfile=loud must be "seed" or "exposure"; e.g. -c severityProfile=exposure');
    expect(error.message).toContain('internalCidrs: "/99" is not a prefix length from 0 to 32');
    expect(error.message).toContain('severityRules: rule 1: "dst_ports" must be a non-empty array of ports (0-65535) or [from, to] ranges');
    expect(error.message).not.toContain('rule 0');
  });
});
