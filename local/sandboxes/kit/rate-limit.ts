/** A token bucket: `capacity` requests at once, refilled at `ratePerSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number = ratePerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token is available (0 when one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((at - this.last) / 1000) * this.ratePerSecond);
    this.last = at;
  }
}

/** One token bucket per key (an API key, a client id). A rate of 0 turns the limit off. */
export class KeyedRateLimiter {
  private buckets = new Map<string, TokenBucket>();

  constructor(
    private ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token from the key's bucket; false means the caller is over the limit. */
  tryTake(key: string): boolean {
    if (this.ratePerSecond <= 0) return true;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSecond, this.ratePerSecond, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  /** Changes the rate; buckets start full again. */
  setRate(ratePerSecond: number): void {
    this.ratePerSecond = ratePerSecond;
    this.buckets.clear();
  }

  /** Forgets every bucket, so each key starts full. */
  reset(): void {
    this.buckets.clear();
  }
}
