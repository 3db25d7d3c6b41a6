import { describe, expect, it } from 'vitest';
import { parseFaults } from '../../../local/faults-option';

describe('the --faults option of npm start', () => {
  it('reads every kind of fault, the phase and a seed', () => {
    expect(parseFaults('5xx=0.1,429=0.05,slow=0.05:3000,drop=0.02,after,seed=7')).toEqual({
      error5xx: 0.1,
      rateLimit429: 0.05,
      slowMs: { rate: 0.05, ms: 3000 },
      drop: 0.02,
      phase: 'after',
      seed: 7,
    });
  });

  it('names the part it cannot read', () => {
    expect(() => parseFaults('5xx=2')).toThrow(/5xx=2: the rate must be a number from 0 to 1/);
    expect(() => parseFaults('boom=0.1')).toThrow(/boom=0.1: kind must be/);
    expect(() => parseFaults('slow=0.1:-5')).toThrow(/slow takes a delay/);
  });
});
