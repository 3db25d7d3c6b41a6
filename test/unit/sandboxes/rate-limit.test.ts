import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, SlidingWindow } from '../../../local/sandboxes/kit/rate-limit';

describe('sandbox sliding-window limiter ("5 TPS")', () => {
  it('allows 5 requests in any one second and a sixth only once the first has left the window', () => {
    let now = 0;
    const window = new SlidingWindow(5, 1000, () => now);
    for (let i = 0; i < 5; i++) {
      expect(window.tryTake()).toBe(true);
      now += 100;
    }
    now = 999;
    expect(window.tryTake()).toBe(false);
    now = 1000;
    expect(window.tryTake()).toBe(true);
    expect(window.tryTake()).toBe(false);
  });

  it('refuses the sixth request of a second even when a token bucket of the same rate would refill in time', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter(5, () => now, 'window');
    const spaced = (gap: number, count: number) =>
      Array.from({ length: count }, () => {
        const allowed = limiter.tryTake('key');
        now += gap;
        return allowed;
      });
    // A burst of 5 then one every 200 ms: a bucket refills a token every 200 ms, the documented rule does not.
    expect(spaced(0, 5)).toEqual([true, true, true, true, true]);
    now = 200;
    expect(spaced(200, 4)).toEqual([false, false, false, false]);
    // Requests 217 ms apart, the budget's default spacing, never put 6 into any second.
    now = 10_000;
    expect(spaced(1000 / 4.6, 100).every(Boolean)).toBe(true);
  });

  it('keeps a separate window per key and turns off at a rate of 0', () => {
    const now = 0;
    const limiter = new KeyedRateLimiter(1, () => now, 'window');
    expect(limiter.tryTake('a')).toBe(true);
    expect(limiter.tryTake('a')).toBe(false);
    expect(limiter.tryTake('b')).toBe(true);
    const off = new KeyedRateLimiter(0, () => now, 'window');
    expect(Array.from({ length: 20 }, () => off.tryTake('a')).every(Boolean)).toBe(true);
  });
});
