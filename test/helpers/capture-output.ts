import { FLOW_GROUP } from '../../local/local-aws';

/** Captures what the Lambda writes (Powertools logs and EMF metrics) as parsed JSON lines. */
export function captureStdout(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const captured: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  // Powertools writes INFO and EMF to stdout, WARN and ERROR to stderr.
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  return {
    lines: () =>
      captured
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** The metric `name` for `logGroup` summed over the captured EMF lines. */
export function metricSum(lines: Array<Record<string, unknown>>, name: string, logGroup = FLOW_GROUP): number {
  return lines
    .filter((l) => l['_aws'] !== undefined && l['LogGroup'] === logGroup && typeof l[name] === 'number')
    .reduce((sum, l) => sum + (l[name] as number), 0);
}
