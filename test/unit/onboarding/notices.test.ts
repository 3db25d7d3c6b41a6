import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { publishKeptNotices, publishOrKeepNotices } from '../../../functions/onboarding/notices';
import type { WebhookNotice } from '../../../functions/providers/port';
import { ProviderRateLimited } from '../../../functions/shared/errors';
import { items, published, resetCloud, stopCloud } from '../recovery/fixture';

/** Wallex's read-back of a funding, refused while the rate budget is full. */
const budget = { full: true };
const confirmNotice = vi.fn(async (notice: WebhookNotice) => {
  if (budget.full) throw new ProviderRateLimited({ provider: 'wallex', code: 'RATE_BUDGET', retryAfterSeconds: 1 });
  return { fundingId: notice.id, status: 'completed', notifiedStatus: notice.notifiedStatus };
});
vi.mock('../../../functions/providers/registry', async (original) => ({
  ...(await original<typeof import('../../../functions/providers/registry')>()),
  providerOf: async () => ({ webhook: { confirmNotice } }),
}));

const funding: WebhookNotice = { kind: 'funding', id: 'fund_123', notifiedStatus: 'completed' };

describe('provider notices the rate budget cannot read back now', () => {
  beforeEach(() => {
    resetCloud();
    confirmNotice.mockClear();
    budget.full = true;
  });
  afterAll(stopCloud);

  it('keeps the notice, ids and statuses only, instead of refusing the webhook', async () => {
    await expect(publishOrKeepNotices('wallex', 'funding:fund_123:completed', [funding])).resolves.toBe(1);
    expect(published()).toEqual([]);
    const kept = [...items.values()].filter((item) => String(item.pk) === 'NOTICE#wallex');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ eventId: 'funding:fund_123:completed', notice: funding });
  });

  it('is published by a later sweep once the budget has room, exactly once', async () => {
    await publishOrKeepNotices('wallex', 'funding:fund_123:completed', [funding]);
    // Still full: it stays for the next sweep.
    await expect(publishKeptNotices()).resolves.toEqual({ published: 0, left: 1 });
    budget.full = false;
    await expect(publishKeptNotices()).resolves.toEqual({ published: 1, left: 0 });
    await expect(publishKeptNotices()).resolves.toEqual({ published: 0, left: 0 });
    expect(published()).toEqual([
      {
        detailType: 'Funding Status Confirmed',
        detail: expect.objectContaining({ eventId: 'funding:fund_123:completed', fundingId: 'fund_123', status: 'completed' }),
      },
    ]);
    expect([...items.values()].filter((item) => String(item.pk).startsWith('NOTICE#'))).toEqual([]);
  });

  it('publishes at once when the budget has room', async () => {
    budget.full = false;
    await expect(publishOrKeepNotices('wallex', 'funding:fund_123:completed', [funding])).resolves.toBe(0);
    expect(published()).toHaveLength(1);
    expect(items.size).toBe(0);
  });
});
