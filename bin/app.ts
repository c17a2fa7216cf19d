#!/usr/bin/env node
/** The CDK app: reads the settings from CDK context, builds the stack, and runs cdk-nag on it. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError } from '../lambda/core/errors';
import { stackPropsFromContext } from '../lib/context-config';
import { VpcFlowAlertsStack } from '../lib/vpc-flow-alerts-stack';

const app = new App();
try {
  const { stackName, ...props } = stackPropsFromContext(app.node.getAllContext() as Record<string, unknown>);
  new VpcFlowAlertsStack(app, stackName, {
    ...props,
    // Environment-agnostic unless the CLI knows the account (credentials present), so offline synth stays generic.
    ...(process.env['CDK_DEFAULT_ACCOUNT'] !== undefined && { env: { account: process.env['CDK_DEFAULT_ACCOUNT'], region: process.env['CDK_DEFAULT_REGION'] } }),
    description: 'vpc-flow-alerts: rejected VPC flows to security alerts on SQS',
  });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
