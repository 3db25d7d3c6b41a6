import { describe, expect, it } from 'vitest';
import { canTransition } from '../../../functions/onboarding/record';

describe('onboarding status transitions', () => {
  it('never leaves a final status', () => {
    for (const to of ['IN_PROGRESS', 'FAILED', 'NEEDS_ATTENTION', 'REJECTED'] as const) {
      expect(canTransition('COMPLETED', to)).toBe(false);
      expect(canTransition('REJECTED', to)).toBe(false);
    }
  });

  it('lets a failed onboarding be carried on by a redrive or a re-run', () => {
    expect(canTransition('FAILED', 'IN_PROGRESS')).toBe(true);
    expect(canTransition('FAILED', 'COMPLETED')).toBe(false);
    expect(canTransition('IN_PROGRESS', 'COMPLETED')).toBe(true);
  });
});
