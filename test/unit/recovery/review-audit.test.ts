import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { decideReview } from '../../../functions/onboarding/review';
import { ID, items, record, resetCloud, stopCloud, store } from './fixture';

const audits = () => [...items.values()].filter((item) => String(item.pk) === `AUDIT#${ID}`);

beforeEach(resetCloud);
afterAll(stopCloud);

describe('a repeated review decision', () => {
  it('is audited once, even when the first call died before its audit write', async () => {
    // The decision took effect at the provider (its webhook set the status); no audit item was written.
    await store(record({ provider: 'straddle', profileStatus: 'verified', providerIds: { profileId: 'cus_1' } }));

    const first = await decideReview(ID, { decision: 'verified', operator: 'ops-7', reason: 'documents checked' });
    await decideReview(ID, { decision: 'verified', operator: 'ops-7', reason: 'documents checked' });

    expect(first.profileStatus).toBe('verified');
    expect(audits()).toEqual([
      expect.objectContaining({ action: 'review-verified', operator: 'ops-7', reason: 'documents checked' }),
    ]);
  });
});
