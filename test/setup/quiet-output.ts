/**
 * Tests print only what a failing test needs. The Lambda's own output (Powertools JSON logs and EMF
 * metric lines) is dropped unless a test captures it to assert on it (captureStdout replaces these
 * writers while it runs), the SDK's notice about future Node.js versions is turned off, and so
 * are jsii's deprecation notices (cdk-nag's EventBridge rule reads a deprecated property).
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
process.env['JSII_DEPRECATED'] = 'quiet';

function isLambdaOutput(text: string): boolean {
  if (!text.startsWith('{"')) return false;
  return text.split('\n').every((line) => line === '' || /^\{"(level|_aws|message|timestamp|cold_start|function_)/.test(line) || line.includes('"_aws":{'));
}

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean =>
    isLambdaOutput(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()) ? true : write(chunk, ...rest)) as typeof stream.write;
}
