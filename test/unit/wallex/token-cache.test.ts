import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderRateLimited } from '../../../functions/shared/errors';
import { takeDailyToken } from '../../../functions/store/daily-budget';
import { dynamoTokenStore, memoryTokenStore, tokenSealer } from '../../../functions/store/token-cache';
import { startAwsFake } from '../aws-fake';

const cloud = await startAwsFake();
const { dynamo } = cloud;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const sealer = tokenSealer('the-secret-access-key', 'wallex');
const item = (token: string, secondsLeft: number, fetchedAt = NOW - 1000) => ({
  pk: 'TOKEN#wallex',
  sk: 'CURRENT',
  token: sealer.seal(token),
  expiresAt: Math.floor(NOW / 1000) + secondsLeft,
  fetchedAt,
});
afterAll(() => cloud.stop());

const store = () => dynamoTokenStore('wallex', { sealer, now: () => NOW, maxWaitMs: 1000 });

describe('shared token cache', () => {
  const issue = vi.fn(async () => ({ token: 'fresh-token', ttlSeconds: 28_800 }));

  beforeEach(() => {
    dynamo.reset();
    issue.mockClear();
    process.env.TABLE_NAME = 'onboarding-table';
  });

  it('uses a token with more than 10 minutes left and logs in no one', async () => {
    dynamo.on('GetItem').resolves({ Item: item('cached-token', 3600) });
    await expect(store().get(issue)).resolves.toBe('cached-token');
    expect(issue).not.toHaveBeenCalled();
    expect(dynamo.calls('GetItem')[0]!).toMatchObject({
      TableName: 'onboarding-table',
      Key: { pk: 'TOKEN#wallex', sk: 'CURRENT' },
      ConsistentRead: true,
    });
  });

  it('refreshes a token about to expire under a lease conditional on the old fetchedAt, and stores it sealed', async () => {
    const old = item('old-token', 300, 111);
    dynamo.on('GetItem').resolves({ Item: old });
    dynamo.on('UpdateItem').resolves({});
    dynamo.on('PutItem').resolves({});

    await expect(store().get(issue)).resolves.toBe('fresh-token');

    const claim = dynamo.calls('UpdateItem')[0]!;
    expect(claim.ConditionExpression).toContain('fetchedAt = :seen');
    expect(claim.ExpressionAttributeValues).toMatchObject({ ':seen': 111, ':now': NOW });
    const put = dynamo.calls('PutItem')[0]!;
    expect(put.ConditionExpression).toBe('leaseId = :lease');
    expect(put.ExpressionAttributeValues?.[':lease']).toBe(claim.ExpressionAttributeValues?.[':lease']);
    expect(put.Item).toMatchObject({
      pk: 'TOKEN#wallex',
      sk: 'CURRENT',
      expiresAt: Math.floor(NOW / 1000) + 28_800,
      fetchedAt: NOW,
    });
    // The table holds the token sealed; it opens with the key derived from the secret, and only with it.
    expect(put.Item?.token).not.toContain('fresh-token');
    expect(sealer.open(put.Item?.token as string)).toBe('fresh-token');
    expect(tokenSealer('another-secret', 'wallex').open(put.Item?.token as string)).toBeUndefined();
  });

  it('keeps using the old token while another caller holds the refresh lease', async () => {
    dynamo.on('GetItem').resolves({ Item: item('old-token', 300) });
    dynamo.on('UpdateItem').rejects('ConditionalCheckFailedException', 'The conditional request failed');
    await expect(store().get(issue)).resolves.toBe('old-token');
    expect(issue).not.toHaveBeenCalled();
  });

  it("waits for the winner's token when there is none usable, instead of logging in too", async () => {
    dynamo
      .on('GetItem')
      .resolvesOnce({})
      .resolves({ Item: item('winner-token', 28_000) });
    dynamo.on('UpdateItem').rejects('ConditionalCheckFailedException', 'The conditional request failed');
    await expect(store().get(issue)).resolves.toBe('winner-token');
    expect(issue).not.toHaveBeenCalled();
    expect(dynamo.calls('GetItem')).toHaveLength(2);
  });

  it('takes a token sealed under a rotated secret as no token', async () => {
    dynamo.on('GetItem').resolves({ Item: { ...item('x', 3600), token: tokenSealer('old-secret', 'wallex').seal('x') } });
    dynamo.on('UpdateItem').resolves({});
    dynamo.on('PutItem').resolves({});
    await expect(store().get(issue)).resolves.toBe('fresh-token');
  });

  it('releases the lease when the login fails', async () => {
    dynamo.on('GetItem').resolves({});
    dynamo.on('UpdateItem').resolves({});
    const failing = vi.fn(async () => {
      throw new Error('login refused');
    });
    await expect(store().get(failing)).rejects.toThrow('login refused');
    const updates = dynamo.calls('UpdateItem').map((c) => c.UpdateExpression);
    expect(updates).toEqual(['SET leaseId = :lease, leaseUntil = :until', 'REMOVE leaseId, leaseUntil']);
  });

  it('invalidates only the token it was told about, conditional on its version', async () => {
    dynamo.on('GetItem').resolves({ Item: item('refused-token', 3600, 222) });
    dynamo.on('UpdateItem').resolves({});
    await store().invalidate('someone-elses-newer-token');
    expect(dynamo.calls('UpdateItem')).toHaveLength(0);

    await store().invalidate('refused-token');
    const expire = dynamo.calls('UpdateItem')[0]!;
    expect(expire).toMatchObject({ UpdateExpression: 'SET expiresAt = :zero', ConditionExpression: 'fetchedAt = :seen' });
    expect(expire.ExpressionAttributeValues).toEqual({ ':zero': 0, ':seen': 222 });
  });
});

describe('in-memory token store', () => {
  it('shares one login between concurrent callers and forgets a refused token', async () => {
    let logins = 0;
    const issue = async () => ({ token: `t${++logins}`, ttlSeconds: 3600 });
    const tokens = memoryTokenStore();
    expect(await Promise.all([tokens.get(issue), tokens.get(issue), tokens.get(issue)])).toEqual(['t1', 't1', 't1']);
    await tokens.invalidate('t1');
    expect(await tokens.get(issue)).toBe('t2');
  });
});

describe('daily request budget', () => {
  beforeEach(() => {
    dynamo.reset();
    process.env.TABLE_NAME = 'onboarding-table';
  });

  it("counts a request on the UTC day's item, conditional on the limit, with a two-day TTL", async () => {
    dynamo.on('UpdateItem').resolves({});
    await takeDailyToken('wallex', 432_000, new Date(NOW));
    const input = dynamo.calls('UpdateItem')[0]!;
    expect(input).toMatchObject({
      Key: { pk: 'RATE#wallex#2026-01-15', sk: 'DAY' },
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
    });
    expect(input.UpdateExpression).toContain('ADD #count :one');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':limit': 432_000, ':expires': Math.floor(NOW / 1000) + 2 * 86_400 });
  });

  it('answers ProviderRateLimited once the day is spent', async () => {
    dynamo.on('UpdateItem').rejects('ConditionalCheckFailedException', 'The conditional request failed');
    const error = await takeDailyToken('wallex', 1, new Date(NOW)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRateLimited);
    expect((error as ProviderRateLimited).code).toBe('DAILY_BUDGET_EXHAUSTED');
  });
});
