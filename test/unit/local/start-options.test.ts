import { describe, expect, it } from 'vitest';
import { parseLambdaConcurrency, parseRetryScale, parseSweepInterval } from '../../../local/start-options';

describe("npm start's numeric options", () => {
  it('reads the sweep interval in seconds, 0 turning the sweeper off', () => {
    expect(parseSweepInterval('300')).toBe(300_000);
    expect(parseSweepInterval('0')).toBe(0);
  });

  it.each(['five', '', '-1', '2.5'])('refuses the sweep interval %j instead of turning the sweeper off', (raw) => {
    expect(() => parseSweepInterval(raw)).toThrow(/--sweep-interval must be a whole number of seconds/);
  });

  it('reads a retry scale from above 0 to 1, and refuses others', () => {
    expect(parseRetryScale('0.01')).toBe(0.01);
    for (const raw of ['0', '2', 'fast']) expect(() => parseRetryScale(raw)).toThrow(/--retry-scale must be/);
  });

  it('reads how many task invocations run at once, a whole number from 1 to 1,000', () => {
    expect(parseLambdaConcurrency('32')).toBe(32);
    expect(parseLambdaConcurrency('1')).toBe(1);
    for (const raw of ['0', '1001', '2.5', '', 'many']) {
      expect(() => parseLambdaConcurrency(raw)).toThrow(/--lambda-concurrency must be a whole number from 1 to 1000/);
    }
  });
});
