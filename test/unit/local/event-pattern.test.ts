import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../local/cloud/event-pattern';

const event = {
  source: 'merchant.platform',
  'detail-type': 'Customer Onboarding Requested',
  detail: { provider: 'straitsx', amount: 10, tags: ['vip', 'sg'], merchantRef: 'm-1' },
};

describe('event patterns', () => {
  it('matches exact values, nested fields and array members', () => {
    expect(matchesPattern({ source: ['merchant.platform', 'other'] }, event)).toBe(true);
    expect(matchesPattern({ detail: { provider: ['straitsx'], tags: ['sg'] } }, event)).toBe(true);
    expect(matchesPattern({ source: ['other'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { provider: ['wallex'] } }, event)).toBe(false);
  });

  it('supports prefix, exists, anything-but and numeric', () => {
    expect(matchesPattern({ 'detail-type': [{ prefix: 'Customer ' }] }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: false }], merchantRef: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { provider: [{ 'anything-but': ['wallex'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { provider: [{ 'anything-but': 'straitsx' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>', 5, '<=', 10] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>', 10] }] } }, event)).toBe(false);
  });
});
