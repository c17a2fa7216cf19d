import { createHash } from 'node:crypto';

/** Bytes per remembered event: an 8-byte hash of the event id and its timestamp in Unix seconds. */
export const SEEN_ENTRY_BYTES = 12;

/**
 * The CloudWatch event ids already sent whose timestamps still fall inside a window that a later
 * poll will read again. Stored compactly (12 bytes an event, so 20,000 events take 240 KB) and
 * pruned by timestamp. Ids are kept as 64-bit hashes: the chance that a new event collides with
 * one of n remembered ones is n / 2^64 (about 1e-15 for n = 20,000).
 */
export class SeenSet {
  private readonly entries = new Map<string, number>();

  /** Number of remembered events. */
  public get size(): number {
    return this.entries.size;
  }

  public has(eventId: string): boolean {
    return this.entries.has(hashKey(eventId));
  }

  /** Remembers `eventId`, whose event timestamp is `timestampMs`. */
  public add(eventId: string, timestampMs: number): void {
    this.entries.set(hashKey(eventId), Math.floor(timestampMs / 1000));
  }

  /** Forgets events with timestamps before `cutoffMs`: no later window reaches back to them. */
  public prune(cutoffMs: number): void {
    const cutoff = Math.floor(cutoffMs / 1000);
    for (const [key, seconds] of this.entries) if (seconds < cutoff) this.entries.delete(key);
  }

  /** The compact form saved in the checkpoint. */
  public encode(): Buffer {
    const out = Buffer.allocUnsafe(this.entries.size * SEEN_ENTRY_BYTES);
    let offset = 0;
    for (const [key, seconds] of this.entries) {
      out.write(key, offset, 8, 'hex');
      out.writeUInt32BE(Math.max(0, Math.min(seconds, 0xffffffff)), offset + 8);
      offset += SEEN_ENTRY_BYTES;
    }
    return out;
  }

  /** Reads what `encode` wrote; a truncated tail (never written by `encode`) is ignored. */
  public static decode(bytes: Uint8Array): SeenSet {
    const set = new SeenSet();
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let offset = 0; offset + SEEN_ENTRY_BYTES <= buffer.length; offset += SEEN_ENTRY_BYTES) {
      set.entries.set(buffer.toString('hex', offset, offset + 8), buffer.readUInt32BE(offset + 8));
    }
    return set;
  }
}

function hashKey(eventId: string): string {
  return createHash('sha256').update(eventId).digest('hex').slice(0, 16);
}
