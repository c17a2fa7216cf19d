import { Match } from 'aws-cdk-lib/assertions';
import { CLOSE_FINDINGS_EVENT, ENV } from '../../lambda/settings/settings-table';
import { FINDING_METRICS, METRICS } from '../../lambda/settings/metric-names';
import { stackPropsFromContext } from '../../lib/context-config';
import { buildStack } from './build';

type Json = Record<string, unknown>;
const GROUPS = [{ logGroupName: '/aws/vpc/flowlogs' }];

function statements(template: ReturnType<typeof buildStack>['template']): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement);
}

function dashboardBody(template: ReturnType<typeof buildStack>['template']): string {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } };
  return JSON.stringify(dashboard.Properties.DashboardBody);
}

describe('findings in poll mode', () => {
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack({ alerts: { logGroups: GROUPS, alertMode: 'findings', scanPortThreshold: 20, findingWindowMinutes: 30, allowlistCidrs: ['192.0.2.0/24', '2001:db8::/32'] } }));
  });

  it('gives the function the finding settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.alertMode]: 'findings', [ENV.scanPortThreshold]: '20', [ENV.findingWindowMinutes]: '30', [ENV.allowlistCidrs]: '192.0.2.0/24,2001:db8::/32', [ENV.sweepHostThreshold]: Match.absent() }) },
    });
  });

  it('shows findings per type, suppressed, allowlisted and late flows on the dashboard, and alarms on unsent findings', () => {
    const body = dashboardBody(template);
    for (const metric of [METRICS.findingsSent, ...Object.values(FINDING_METRICS), METRICS.flowsSuppressed, METRICS.allowlistedFlows, METRICS.lateFlows, METRICS.findingSendFailures, METRICS.findingStateResets]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.findingSendFailures });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.findingStateResets });
  });
});

describe('findings in push mode', () => {
  let template: ReturnType<typeof buildStack>['template'];
  beforeAll(() => {
    ({ template } = buildStack({ alerts: { mode: 'subscribe', logGroups: GROUPS, alertMode: 'both', lookbackMinutes: 20 } }));
  });

  it('creates the state table, readable and writable item by item only', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const state = statements(template).filter((s) => JSON.stringify(s['Action']).includes('dynamodb:'));
    expect(state).toEqual([expect.objectContaining({ Sid: 'FindingState', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/CheckpointTable/), 'Arn'] } })]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.alertMode]: 'both', [ENV.lookbackMinutes]: '20', [ENV.checkpointTable]: Match.anyValue() }) },
    });
  });

  it('invokes the function every 5 minutes to close finding windows, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ Input: JSON.stringify(CLOSE_FINDINGS_EVENT), RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 } }),
    });
  });
});

describe('findings settings', () => {
  it('push mode without findings has no table and no schedule', () => {
    const { template } = buildStack({ alerts: { mode: 'subscribe', logGroups: GROUPS } });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('refuses thresholds while alertMode is flows, and bad values, naming a value that works', () => {
    expect(() => stackPropsFromContext({ logGroups: '/a', scanPortThreshold: '20' })).toThrow(/scanPortThreshold only applies when findings are made.*-c alertMode=findings/);
    expect(() => stackPropsFromContext({ logGroups: '/a', alertMode: 'findings', sweepHostThreshold: '100' })).toThrow(/sweepHostThreshold=100 must be a whole number from 2 to 64; e.g. -c sweepHostThreshold=20/);
    expect(() => stackPropsFromContext({ logGroups: '/a', alertMode: 'finding' })).toThrow(/alertMode=finding must be "flows" or "findings" or "both"/);
    expect(() => stackPropsFromContext({ logGroups: '/a', alertMode: 'findings', allowlistCidrs: '192.0.2.0/33' })).toThrow(/allowlistCidrs: .*e\.g\. -c allowlistCidrs=192\.0\.2\.0\/24/);
    // A day's lookback in 5-minute windows would keep 606 windows open.
    expect(() => stackPropsFromContext({ logGroups: '/a', alertMode: 'findings', findingWindowMinutes: '5', lookbackMinutes: '1440' })).toThrow(
      'lookbackMinutes=1440 with findingWindowMinutes=5 keeps up to 606 finding windows open, and the state holds 96; e.g. -c findingWindowMinutes=33',
    );
    expect(() => stackPropsFromContext({ logGroups: '/a', alertMode: 'findings', findingWindowMinutes: '33', lookbackMinutes: '1440' })).not.toThrow();
  });

  it('reads them from CDK context', () => {
    const props = stackPropsFromContext({ logGroups: '/a', mode: 'subscribe', alertMode: 'findings', sweepHostThreshold: '15', allowlistCidrs: '192.0.2.0/24', lookbackMinutes: '30' });
    expect(props.alerts).toMatchObject({ mode: 'subscribe', alertMode: 'findings', sweepHostThreshold: 15, allowlistCidrs: ['192.0.2.0/24'], lookbackMinutes: 30 });
  });
});

describe('outputFormat', () => {
  it('is passed to the function, from props and from context, and checked', () => {
    const { template } = buildStack({ alerts: { logGroups: GROUPS, outputFormat: 'ocsf' } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.outputFormat]: 'ocsf' }) } });
    expect(stackPropsFromContext({ logGroups: '/a', outputFormat: 'ocsf' }).alerts).toMatchObject({ outputFormat: 'ocsf' });
    expect(() => stackPropsFromContext({ logGroups: '/a', outputFormat: 'OCSF' })).toThrow('outputFormat=OCSF must be "native" or "ocsf"; e.g. -c outputFormat=ocsf');
  });
});
