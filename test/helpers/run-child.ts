import { spawn } from 'node:child_process';
import type { LocalAws } from '../../local/local-aws';

/** What a child process printed and how it ended. */
export interface ChildResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a user's shell would have against the local endpoints: region, keys, AWS_ENDPOINT_URL_*. */
export function localAwsEnv(aws: LocalAws): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: aws.logs.endpoint, AWS_ENDPOINT_URL_SQS: aws.sqs.endpoint, AWS_ENDPOINT_URL_DYNAMODB: aws.dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: aws.sqs.s3Endpoint,
  };
}

/**
 * Runs a command without blocking this process (spawnSync would: the local endpoints the child
 * calls are served by this process's event loop). Killed after `timeoutMs`.
 */
export function runChild(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<ChildResult> {
  const child = spawn(command, [...args], { env: options.env ?? process.env, ...(options.cwd !== undefined && { cwd: options.cwd }) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill(), options.timeoutMs ?? 50_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}
