/**
 * A local CloudWatch Logs endpoint for tests and the demo. It speaks the AWS JSON 1.1 protocol the real
 * `@aws-sdk/client-cloudwatch-logs` client uses, so the production adapter runs unchanged against it, and it
 * can inject the failures the poller must survive: late-arriving events, empty pages with a token,
 * throttling, denied access and expired tokens.
 *
 * Deliberate simplifications (the real service differs):
 * - A filter-pattern term matches when it is a case-sensitive substring of the message; the real service
 *   matches whole terms, so `REJECT` would not match `REJECTED` there. Only the pattern forms this product
 *   uses are supported; anything else is refused rather than guessed at.
 * - Pagination is a cursor after the last returned (timestamp, eventId): an event that becomes visible
 *   behind the cursor while a query is being paged is not returned by that query.
 * - PutLogEvents accepts any timestamps (no 14-day / 2-hour window, no ordering rule); DescribeLogGroups
 *   returns every match in one page.
 * - Request signatures are not checked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the emulator behaves; every field is optional. */
export interface EmulatorOptions {
  /** The emulator's clock (epoch ms): decides which events are visible, and PutLogEvents' ingestionTime. */
  now?: () => number;
  /** Most events in one FilterLogEvents page, whatever `limit` asks (default 10,000, the service's). */
  pageSize?: number;
  /** The first N responses of every new FilterLogEvents query are `events: []` with a nextToken. */
  emptyPagesBeforeData?: number;
  /** Region and account in ARNs and error messages. */
  region?: string;
  accountId?: string;
}

/** One event to load with {@link CloudWatchLogsEmulator.putEvents}. */
export interface EmulatedEventInput {
  /** Default `emulator-stream`. */
  logStreamName?: string;
  /** Epoch ms. */
  timestamp: number;
  message: string;
  /** When the event becomes visible to FilterLogEvents; default `timestamp`. */
  ingestionTime?: number;
}

/** An error the emulator answers with: `code` becomes the body's `__type`. */
export interface InjectedError {
  code: string;
  message?: string;
  /** HTTP status; default 500 for ServiceUnavailableException and InternalFailure, else 400. */
  status?: number;
}

interface StoredEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

interface LogGroup {
  readonly name: string;
  readonly creationTime: number;
  readonly streams: Set<string>;
  readonly events: StoredEvent[];
}

/** The state a nextToken carries. `a` is the cursor: the (timestamp, eventId) of the last event returned. */
interface TokenState {
  readonly v: 1;
  readonly i: string;
  readonly g: number;
  readonly f: string;
  readonly e: number;
  readonly a: readonly [number, string] | null;
}

type Body = Record<string, unknown>;

const JSON_11 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Logs_20140328.';
const MAX_LIMIT = 10_000;
const MAX_PAGE_BYTES = 1_048_576;
const MAX_REQUEST_BYTES = 16 * 1_048_576;
const DEFAULT_STREAM = 'emulator-stream';
const NO_GROUP = 'The specified log group does not exist.';
const BAD_TOKEN = 'The specified nextToken is invalid.';
const UNSUPPORTED_PATTERN = 'unsupported filter pattern in emulator';
const SERVER_FAULTS = new Set(['ServiceUnavailableException', 'InternalFailure']);
/** Unquoted terms: word characters plus the punctuation of addresses and ids. A leading `-` is exclusion syntax. */
const BARE_TERM = /^[A-Za-z0-9_][A-Za-z0-9_.:/@-]*$/;

class ApiError extends Error {
  public constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string): ApiError => new ApiError('InvalidParameterException', message);

/** Compiles the supported filter-pattern forms to a predicate; throws InvalidParameterException otherwise. */
function compilePattern(pattern: string): (message: string) => boolean {
  const terms: Array<{ readonly text: string; readonly optional: boolean }> = [];
  let rest = pattern.trim();
  while (rest !== '') {
    const optional = rest.startsWith('?');
    if (optional) rest = rest.slice(1);
    let text: string;
    if (rest.startsWith('"')) {
      const close = rest.indexOf('"', 1);
      if (close <= 1) throw invalid(UNSUPPORTED_PATTERN);
      text = rest.slice(1, close);
      rest = rest.slice(close + 1);
      if (rest !== '' && !/^\s/.test(rest)) throw invalid(UNSUPPORTED_PATTERN);
    } else {
      const end = rest.search(/\s/);
      text = end === -1 ? rest : rest.slice(0, end);
      rest = end === -1 ? '' : rest.slice(end);
      if (!BARE_TERM.test(text)) throw invalid(UNSUPPORTED_PATTERN);
    }
    terms.push({ text, optional });
    rest = rest.trimStart();
  }
  if (terms.length === 0) return () => true;
  // `?A B` has no documented meaning worth guessing: either every term is optional (ANY) or none is (ALL).
  const anyOf = terms.every((t) => t.optional);
  if (!anyOf && terms.some((t) => t.optional)) throw invalid(UNSUPPORTED_PATTERN);
  const texts = terms.map((t) => t.text);
  return anyOf ? (m) => texts.some((t) => m.includes(t)) : (m) => texts.every((t) => m.includes(t));
}

const compareEvents = (a: { timestamp: number; eventId: string }, b: { timestamp: number; eventId: string }): number =>
  a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${key} must be a string`);
  return value;
}

function requiredString(body: Body, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined || value === '') throw invalid(`${key} is required`);
  return value;
}

function optionalInteger(body: Body, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalStringList(body: Body, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v): v is string => typeof v === 'string')) {
    throw invalid(`${key} must be a non-empty list of strings`);
  }
  return value;
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeToken(token: string): TokenState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid(BAD_TOKEN);
  }
  if (!isRecord(parsed)) throw invalid(BAD_TOKEN);
  const { v, i, g, f, e, a } = parsed;
  if (v !== 1 || typeof i !== 'string' || typeof g !== 'number' || typeof f !== 'string' || typeof e !== 'number') throw invalid(BAD_TOKEN);
  if (a === null) return { v, i, g, f, e, a };
  const [timestamp, eventId] = Array.isArray(a) ? (a as unknown[]) : [];
  if (typeof timestamp !== 'number' || typeof eventId !== 'string') throw invalid(BAD_TOKEN);
  return { v, i, g, f, e, a: [timestamp, eventId] };
}

/**
 * An in-memory CloudWatch Logs on `127.0.0.1`: FilterLogEvents, CreateLogGroup, CreateLogStream,
 * PutLogEvents and DescribeLogGroups over HTTP, plus a programmatic API to load data and inject failures.
 */
export class CloudWatchLogsEmulator {
  /** Base URL for the SDK client's `endpoint`, e.g. `http://127.0.0.1:54321`. */
  public readonly endpoint: string;
  /** Requests received per operation, and the bodies of the FilterLogEvents requests, for assertions. */
  public readonly calls: { readonly count: Readonly<Record<string, number>>; readonly filterRequests: ReadonlyArray<Record<string, unknown>> };

  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly emptyPages: number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly groups = new Map<string, LogGroup>();
  private readonly denied = new Set<string>();
  private readonly failures: Array<{ operation: string; error: InjectedError; remaining: number }> = [];
  private readonly counts: Record<string, number> = {};
  private readonly filterBodies: Array<Record<string, unknown>> = [];
  /** Tokens name the instance and the token generation, so expireTokens() and other emulators' tokens are refused. */
  private readonly instanceId = randomBytes(6).toString('hex');
  private tokenGeneration = 0;
  private sequence = 0;
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    options: EmulatorOptions,
  ) {
    const address = server.address() as AddressInfo;
    this.endpoint = `http://127.0.0.1:${address.port}`;
    this.now = options.now ?? Date.now;
    this.pageSize = options.pageSize ?? MAX_LIMIT;
    this.emptyPages = options.emptyPagesBeforeData ?? 0;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.calls = { count: this.counts, filterRequests: this.filterBodies };
    if (!Number.isSafeInteger(this.pageSize) || this.pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    if (!Number.isSafeInteger(this.emptyPages) || this.emptyPages < 0) throw new RangeError('emptyPagesBeforeData must be a non-negative integer');
  }

  /** Starts an emulator on an ephemeral port of 127.0.0.1 (never all interfaces). */
  public static async start(options: EmulatorOptions = {}): Promise<CloudWatchLogsEmulator> {
    let emulator: CloudWatchLogsEmulator | undefined;
    const server = createServer((req, res) => {
      if (emulator === undefined) res.destroy();
      else emulator.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      emulator = new CloudWatchLogsEmulator(server, options);
    } catch (error) {
      server.close();
      throw error;
    }
    return emulator;
  }

  /** The address the server is bound to. */
  public address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Creates a log group; throws if it exists, as the service does. */
  public createLogGroup(name: string): void {
    if (name === '') throw new Error('log group name is required');
    if (this.groups.has(name)) throw new Error(`log group ${name} already exists`);
    this.groups.set(name, { name, creationTime: this.now(), streams: new Set(), events: [] });
  }

  /** Stores events in an existing group (throws if it is missing) and returns their eventIds, in input order. */
  public putEvents(logGroupName: string, events: readonly EmulatedEventInput[]): string[] {
    const group = this.groups.get(logGroupName);
    if (group === undefined) throw new Error(`log group ${logGroupName} does not exist; call createLogGroup first`);
    for (const event of events) {
      const times = [event.timestamp, event.ingestionTime ?? event.timestamp];
      if (!times.every((t) => Number.isSafeInteger(t) && t >= 0)) throw new Error('timestamp and ingestionTime must be non-negative integers');
      if (typeof event.message !== 'string' || event.message === '') throw new Error('message must be a non-empty string');
    }
    return events.map((event) => this.store(group, event.logStreamName ?? DEFAULT_STREAM, event.timestamp, event.message, event.ingestionTime ?? event.timestamp));
  }

  /** Makes the next `count` requests of `operation` (default FilterLogEvents) fail with `error`. Calls queue up in order. */
  public failNext(count: number, error: InjectedError, operation = 'FilterLogEvents'): void {
    if (count > 0) this.failures.push({ operation, error, remaining: count });
  }

  /** Every FilterLogEvents call on this group fails with AccessDeniedException until {@link allowAccess}. */
  public denyAccess(logGroupName: string): void {
    this.denied.add(logGroupName);
  }

  /** Undoes {@link denyAccess}. */
  public allowAccess(logGroupName: string): void {
    this.denied.delete(logGroupName);
  }

  /** Invalidates every nextToken issued so far: using one answers InvalidParameterException. */
  public expireTokens(): void {
    this.tokenGeneration += 1;
  }

  /** Stops the server and drops open (keep-alive) connections so the port is free when this resolves. */
  public stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error === undefined ? resolve() : reject(error)));
      this.server.closeAllConnections();
    });
    return this.stopped;
  }

  private store(group: LogGroup, logStreamName: string, timestamp: number, message: string, ingestionTime: number): string {
    this.sequence += 1;
    // 56 digits like the service's ids: the padded timestamp then a sequence, so ids are unique and
    // ordering by id within one timestamp is insertion order.
    const eventId = String(timestamp).padStart(20, '0') + String(this.sequence).padStart(36, '0');
    group.streams.add(logStreamName);
    group.events.push({ logStreamName, timestamp, message, ingestionTime, eventId });
    return eventId;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    // A client that hangs up mid-request must not crash the test process with an unhandled 'error'.
    req.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        if (size > MAX_REQUEST_BYTES) throw new ApiError('SerializationException', 'request too large', 413);
        this.send(res, 200, this.dispatch(req, Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        const failure = error instanceof ApiError ? error : new ApiError('InternalFailure', String(error), 500);
        // The SDK's JSON 1.1 protocol takes the error name from the body's `__type` and the text from `message`.
        this.send(res, failure.status, { __type: failure.code, message: failure.message });
      }
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': JSON_11,
      'Content-Length': Buffer.byteLength(payload),
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(payload);
  }

  private dispatch(req: IncomingMessage, raw: string): unknown {
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    this.counts[operation || 'Unknown'] = (this.counts[operation || 'Unknown'] ?? 0) + 1;
    if (req.method !== 'POST' || (req.url ?? '/') !== '/' || operation === '') {
      throw new ApiError('UnknownOperationException', 'expected POST / with X-Amz-Target: Logs_20140328.<Operation>');
    }
    let body: unknown;
    try {
      body = raw === '' ? {} : JSON.parse(raw);
    } catch {
      throw new ApiError('SerializationException', 'request body is not JSON');
    }
    if (!isRecord(body)) throw new ApiError('SerializationException', 'request body must be a JSON object');
    if (operation === 'FilterLogEvents') this.filterBodies.push(structuredClone(body));

    const failure = this.failures.find((f) => f.operation === operation && f.remaining > 0);
    if (failure !== undefined) {
      failure.remaining -= 1;
      if (failure.remaining === 0) this.failures.splice(this.failures.indexOf(failure), 1);
      const { code, message, status } = failure.error;
      throw new ApiError(code, message ?? `injected ${code}`, status ?? (SERVER_FAULTS.has(code) ? 500 : 400));
    }

    switch (operation) {
      case 'FilterLogEvents':
        return this.filterLogEvents(body);
      case 'CreateLogGroup':
        return this.createLogGroupOp(body);
      case 'CreateLogStream':
        return this.createLogStreamOp(body);
      case 'PutLogEvents':
        return this.putLogEventsOp(body);
      case 'DescribeLogGroups':
        return this.describeLogGroupsOp(body);
      default:
        throw new ApiError('UnknownOperationException', `operation ${operation} is not emulated`);
    }
  }

  private groupArn(name: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}`;
  }

  private existingGroup(name: string): LogGroup {
    const group = this.groups.get(name);
    if (group === undefined) throw new ApiError('ResourceNotFoundException', NO_GROUP);
    return group;
  }

  private filterLogEvents(body: Body): unknown {
    const byName = optionalString(body, 'logGroupName');
    const identifier = optionalString(body, 'logGroupIdentifier');
    if ((byName === undefined) === (identifier === undefined)) throw invalid('Specify exactly one of logGroupName and logGroupIdentifier.');
    // An identifier may be the group's ARN, with or without the trailing `:*` DescribeLogGroups shows.
    const name = byName ?? (identifier ?? '').replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '');
    const startTime = optionalInteger(body, 'startTime', 0);
    const endTime = optionalInteger(body, 'endTime', 0);
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw invalid('startTime must not be after endTime');
    const limit = optionalInteger(body, 'limit', 1, MAX_LIMIT) ?? MAX_LIMIT;
    const filterPattern = optionalString(body, 'filterPattern') ?? '';
    const streams = optionalStringList(body, 'logStreamNames');
    const nextToken = optionalString(body, 'nextToken');

    if (this.denied.has(name)) {
      throw new ApiError(
        'AccessDeniedException',
        `User: arn:aws:sts::${this.accountId}:assumed-role/emulator/emulator is not authorized to perform: logs:FilterLogEvents on resource: ${this.groupArn(name)}:* because no identity-based policy allows the logs:FilterLogEvents action`,
      );
    }
    const group = this.existingGroup(name);
    const matches = compilePattern(filterPattern);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([name, startTime ?? null, endTime ?? null, filterPattern, streams === undefined ? null : [...streams].sort()]))
      .digest('hex')
      .slice(0, 16);

    let state: TokenState;
    if (nextToken === undefined) {
      state = { v: 1, i: this.instanceId, g: this.tokenGeneration, f: fingerprint, e: this.emptyPages, a: null };
    } else {
      state = decodeToken(nextToken);
      if (state.i !== this.instanceId || state.g !== this.tokenGeneration) throw invalid(BAD_TOKEN);
      if (state.f !== fingerprint) throw invalid(`${BAD_TOKEN} It was issued for a different query.`);
    }
    const token = (next: Omit<TokenState, 'v' | 'i' | 'g' | 'f'>): string =>
      Buffer.from(JSON.stringify({ v: 1, i: this.instanceId, g: this.tokenGeneration, f: fingerprint, ...next }), 'utf8').toString('base64url');

    // The service may answer an empty page that still has a token; callers must keep following it.
    if (state.e > 0) return { events: [], searchedLogStreams: [], nextToken: token({ e: state.e - 1, a: state.a }) };

    const clock = this.now();
    const after = state.a === null ? null : { timestamp: state.a[0], eventId: state.a[1] };
    const candidates = group.events
      .filter(
        (ev) =>
          ev.ingestionTime <= clock &&
          (startTime === undefined || ev.timestamp >= startTime) &&
          (endTime === undefined || ev.timestamp <= endTime) &&
          (streams === undefined || streams.includes(ev.logStreamName)) &&
          (after === null || compareEvents(ev, after) > 0) &&
          matches(ev.message),
      )
      .sort(compareEvents);

    const maxEvents = Math.min(limit, this.pageSize);
    const page: StoredEvent[] = [];
    let bytes = 0;
    for (const ev of candidates) {
      const size = Buffer.byteLength(ev.message, 'utf8');
      if (page.length === maxEvents || (page.length > 0 && bytes + size > MAX_PAGE_BYTES)) break;
      page.push(ev);
      bytes += size;
    }
    const last = page[page.length - 1];
    const more = last !== undefined && page.length < candidates.length;
    return {
      events: page.map(({ logStreamName, timestamp, message, ingestionTime, eventId }) => ({ logStreamName, timestamp, message, ingestionTime, eventId })),
      searchedLogStreams: [],
      ...(more ? { nextToken: token({ e: 0, a: [last.timestamp, last.eventId] }) } : {}),
    };
  }

  private createLogGroupOp(body: Body): unknown {
    const name = requiredString(body, 'logGroupName');
    if (this.groups.has(name)) throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
    this.createLogGroup(name);
    return {};
  }

  private createLogStreamOp(body: Body): unknown {
    const group = this.existingGroup(requiredString(body, 'logGroupName'));
    const stream = requiredString(body, 'logStreamName');
    if (group.streams.has(stream)) throw new ApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    group.streams.add(stream);
    return {};
  }

  private putLogEventsOp(body: Body): unknown {
    const group = this.existingGroup(requiredString(body, 'logGroupName'));
    const stream = requiredString(body, 'logStreamName');
    if (!group.streams.has(stream)) throw new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const raw = body['logEvents'];
    if (!Array.isArray(raw) || raw.length === 0) throw invalid('logEvents must be a non-empty list');
    // Validate the whole batch before storing any of it, as the service accepts or refuses a batch as one.
    const events = raw.map((item: unknown) => {
      if (!isRecord(item)) throw invalid('each log event must be an object');
      const timestamp = optionalInteger(item, 'timestamp', 0);
      if (timestamp === undefined) throw invalid('log event timestamp is required');
      return { timestamp, message: requiredString(item, 'message') };
    });
    const ingestionTime = this.now();
    for (const event of events) this.store(group, stream, event.timestamp, event.message, ingestionTime);
    return {};
  }

  private describeLogGroupsOp(body: Body): unknown {
    const prefix = optionalString(body, 'logGroupNamePrefix') ?? '';
    const logGroups = [...this.groups.values()]
      .filter((g) => g.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((g) => ({ logGroupName: g.name, creationTime: g.creationTime, arn: `${this.groupArn(g.name)}:*`, logGroupArn: this.groupArn(g.name), storedBytes: 0 }));
    return { logGroups };
  }
}
