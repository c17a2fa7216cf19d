import type { Sleep } from './retry';
import { realSleep } from './retry';

/**
 * Spaces calls at least `1000 / perSecond` ms apart. One instance is shared by every log group
 * of a run, because the FilterLogEvents quota is per account and Region, not per group.
 */
export class RateLimiter {
  private next = 0;

  public constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {}

  /** Resolves when the caller may make its call. */
  public async acquire(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.next);
    this.next = slot + 1000 / this.perSecond;
    if (slot > now) await this.sleep(slot - now);
  }
}
