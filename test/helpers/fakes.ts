/** In-memory ports for use-case tests: a log group whose events become visible at ingestion time, a queue, a checkpoint table. */
import type { AlertPublisher, Checkpoint, CheckpointStore, LogEvent, LogPage, LogSource, OutboundMessage, PageRequest, PublishFailure, PublishResult } from '../../lambda/app/ports';
import type { PollPosition } from '../../lambda/core/poll-window';
import { SeenSet } from '../../lambda/core/seen-set';

export class Clock {
  public constructor(public ms: number) {}
  public readonly now = (): number => this.ms;
  public advance(ms: number): void {
    this.ms += ms;
  }
}

/** FilterLogEvents semantics that matter here: timestamp range, ingestion visibility, pagination. */
export class FakeLogSource implements LogSource {
  public readonly events: LogEvent[] = [];
  public calls = 0;
  public failNext: Error[] = [];
  public constructor(private readonly clock: Clock, private readonly pageSize = 10_000) {}

  public add(message: string, timestamp: number, ingestionTime = timestamp): LogEvent {
    const event = { eventId: `${String(this.events.length).padStart(8, '0')}`, timestamp, ingestionTime, logStreamName: 'eni-1-all', message };
    this.events.push(event);
    return event;
  }

  public async fetchPage(request: PageRequest): Promise<LogPage> {
    this.calls++;
    const failure = this.failNext.shift();
    if (failure !== undefined) throw failure;
    const visible = this.events
      .filter((e) => (e.ingestionTime ?? e.timestamp) <= this.clock.ms && e.timestamp >= request.start && e.timestamp <= request.end)
      .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
    const offset = request.nextToken === undefined ? 0 : Number(request.nextToken);
    const size = Math.min(this.pageSize, request.limit);
    const events = visible.slice(offset, offset + size);
    return offset + size < visible.length ? { events, nextToken: String(offset + size), throttles: 0 } : { events, throttles: 0 };
  }
}

/** A queue that can fail chosen sends: `failWhen` transiently, `refuseWhen` permanently (a sender fault). */
export class FakeQueue implements AlertPublisher {
  public readonly received: OutboundMessage[] = [];
  /** Returns true for a message that must fail this time. */
  public failWhen: (message: OutboundMessage) => boolean = () => false;
  /** Returns true for a message the queue refuses for its contents. */
  public refuseWhen: (message: OutboundMessage) => boolean = () => false;
  public async publish(messages: readonly OutboundMessage[]): Promise<PublishResult> {
    const sent: string[] = [];
    const failed: PublishFailure[] = [];
    for (const message of messages) {
      if (this.refuseWhen(message)) failed.push({ id: message.id, reason: 'InvalidMessageContents', permanent: true });
      else if (this.failWhen(message)) failed.push({ id: message.id, reason: 'InternalError', permanent: false });
      else {
        this.received.push(message);
        sent.push(message.id);
      }
    }
    return { sent, failed };
  }
  public alertIds(): string[] {
    return this.received.map((m) => (JSON.parse(m.body) as { alert_id: string }).alert_id);
  }
}

/** Conditional writes on a revision number and a lease, with the seen-set stored in its encoded form. */
export class FakeCheckpoints implements CheckpointStore {
  private readonly items = new Map<string, { revision: number; position: PollPosition; seen: Buffer }>();
  private readonly leases = new Map<string, { owner: string; until: number }>();
  public failNextSave = false;
  public async acquireLease(logGroup: string, owner: string, untilMs: number, nowMs: number): Promise<boolean> {
    const lease = this.leases.get(logGroup);
    if (lease !== undefined && lease.owner !== owner && lease.until >= nowMs) return false;
    this.leases.set(logGroup, { owner, until: untilMs });
    return true;
  }
  public async releaseLease(logGroup: string, owner: string): Promise<void> {
    if (this.leases.get(logGroup)?.owner === owner) this.leases.delete(logGroup);
  }
  public leaseOf(logGroup: string): { owner: string; until: number } | undefined {
    return this.leases.get(logGroup);
  }
  public async load(logGroup: string): Promise<Checkpoint | undefined> {
    const item = this.items.get(logGroup);
    return item && { revision: item.revision, position: item.position, seen: SeenSet.decode(item.seen) };
  }
  public async save(logGroup: string, expected: number | undefined, position: PollPosition, seen: SeenSet): Promise<boolean> {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('simulated crash before the checkpoint write');
    }
    const current = this.items.get(logGroup);
    if (current?.revision !== expected) return false;
    this.items.set(logGroup, { revision: (expected ?? 0) + 1, position: structuredClone(position), seen: seen.encode() });
    return true;
  }
  public position(logGroup: string): PollPosition | undefined {
    return this.items.get(logGroup)?.position;
  }
}
