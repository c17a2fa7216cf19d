import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { VpcFlowAlertsStackProps } from '../../lib/vpc-flow-alerts-stack';
import { VpcFlowAlertsStack } from '../../lib/vpc-flow-alerts-stack';

/** The feature flags cdk.json sets, so tests synthesize what `cdk deploy` would. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const TEST_CONTEXT = { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] };

export const DEFAULT_ALERTS: VpcFlowAlertsStackProps['alerts'] = { logGroups: [{ logGroupName: '/aws/vpc/flowlogs' }] };

/** Synthesizes the stack without bundling the Lambda (bundling has its own test). */
export function buildStack(props: Partial<VpcFlowAlertsStackProps> = {}): { stack: VpcFlowAlertsStack; template: Template } {
  const app = new App({ context: TEST_CONTEXT });
  const stack = new VpcFlowAlertsStack(app, 'Test', { alerts: DEFAULT_ALERTS, ...props });
  return { stack, template: Template.fromStack(stack) };
}

/** One plugin's findings as CDK's validation report records them. */
export interface NagReport {
  pluginName: string;
  conclusion: string;
  violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
  suppressedViolations: Array<{ ruleName: string; reason: string; acknowledgedId: string }>;
}

/** Synthesizes the stack with cdk-nag's AwsSolutions and Serverless packs and returns their reports. */
export function nagReports(props: Partial<VpcFlowAlertsStackProps> = {}): NagReport[] {
  const app = new App({ context: TEST_CONTEXT });
  new VpcFlowAlertsStack(app, 'Nag', { alerts: DEFAULT_ALERTS, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  let directory = app.outdir;
  try {
    directory = app.synth().directory;
  } catch (error) {
    // Findings fail the synth; the report says which, and the test prints them.
    if (!/validation/i.test(String(error))) throw error;
  }
  return (JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as { pluginReports: NagReport[] }).pluginReports;
}
