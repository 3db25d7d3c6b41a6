/** Checks of `npm start`'s numeric options: a bad value stops the start with the rule, never a silent default. */

/** `--sweep-interval`: whole seconds, 0 turning the sweeper off; in milliseconds. */
export function parseSweepInterval(raw: string): number {
  const seconds = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(seconds) || seconds < 0) {
    throw new Error('--sweep-interval must be a whole number of seconds, 0 or more (0: never)');
  }
  return seconds * 1000;
}

/** `--retry-scale`: a number above 0 and at most 1. */
export function parseRetryScale(raw: string): number {
  const scale = Number(raw);
  if (!(scale > 0 && scale <= 1)) throw new Error('--retry-scale must be a number above 0 and at most 1');
  return scale;
}

/** `--lambda-concurrency`: workflow task invocations run at once, a whole number from 1 to 1,000. */
export function parseLambdaConcurrency(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw new Error('--lambda-concurrency must be a whole number from 1 to 1000');
  }
  return value;
}
