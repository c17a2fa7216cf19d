import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Mode } from '../lambda/settings/settings-table';

/** What {@link AlertsFunction} builds. */
export interface AlertsFunctionProps {
  readonly mode: Mode;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly reservedConcurrency?: number;
  readonly logRetention: logs.RetentionDays;
  /** Failed asynchronous invocations go here. */
  readonly onFailure: sqs.IQueue;
}

/** The handler module of each mode. */
const ENTRY: Record<Mode, string> = { poll: 'poll.ts', subscribe: 'subscribe.ts', s3: 's3.ts' };
const ROLE_DESCRIPTIONS: Record<Mode, string> = {
  poll: 'vpc-flow-alerts (poll): reads its flow-log groups, sends to its queues, keeps its checkpoint',
  subscribe: 'vpc-flow-alerts (subscribe): receives its flow-log groups\' deliveries, sends to its queues',
  s3: 'vpc-flow-alerts (s3): reads the flow-log objects announced on its notification queue, sends to its queues',
};
const DESCRIPTIONS: Record<Mode, string> = {
  poll: 'Polls VPC flow logs for rejected flows and sends alerts to SQS',
  subscribe: 'Receives VPC flow-log subscription deliveries and sends alerts to SQS',
  s3: 'Reads VPC flow-log objects from S3 as they arrive and sends alerts to SQS',
};

/**
 * The function every mode runs (its handler chosen by the mode), its own log group and its role,
 * which starts with no permission but writing its own logs: each source and the queues add theirs.
 * Created in `scope` with the ids it always had, so upgrades keep its log group.
 */
export class AlertsFunction {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, props: AlertsFunctionProps) {
    const polling = props.mode === 'poll';
    this.logGroup = new logs.LogGroup(scope, 'FunctionLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(scope, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: ROLE_DESCRIPTIONS[props.mode],
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    );
    this.function = new nodejs.NodejsFunction(scope, 'Function', {
      entry: path.join(__dirname, '..', 'lambda', 'handlers', ENTRY[props.mode]),
      handler: 'handler',
      depsLockFilePath: path.join(__dirname, '..', 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: Duration.seconds(props.timeoutSeconds),
      // Overlapping poll runs are safe without it: each log group is leased to one run at a time.
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: DESCRIPTIONS[props.mode],
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        // Bundle the SDK too: the function runs the exact versions the tests ran.
        externalModules: [],
        forceDockerBundling: false,
      },
      // Polling: the next scheduled run is the retry (it resumes from the checkpoint). Push: a
      // delivery whose sends failed is retried by Lambda, then kept by the on-failure destination.
      retryAttempts: polling ? 0 : 2,
      onFailure: new destinations.SqsDestination(props.onFailure),
      // s3 mode sends the rest of an object it ran out of time in back to the queue that invokes
      // it: a chain as long as the object (each part moves on), which Lambda's loop detection
      // would otherwise stop after 16 parts.
      ...(props.mode === 's3' && { recursiveLoop: lambda.RecursiveLoop.ALLOW }),
    });
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless::Serverless-LambdaDLQ',
        reason: 'Failed asynchronous invocations go to InvocationDeadLetterQueue through an on-failure destination (EventInvokeConfig), which AWS recommends over a DeadLetterConfig.',
      },
      {
        id: 'Serverless::Serverless-LambdaTracing',
        reason: 'X-Ray actions accept no resource-level scoping, so active tracing would add a "*" resource to a role that otherwise names each resource; the function reports through structured logs and EMF metrics instead.',
      },
    );
  }
}
