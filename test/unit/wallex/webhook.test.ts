import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getFunding, getRefund, parseWallexNotification, verifyWallexHeader } from '../../../functions/providers/wallex/webhook';
import { ConfigurationError, ProviderUnavailable } from '../../../functions/shared/errors';

// Wrapped so a test can see that the comparison ran in constant time.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const NAME = 'X-Wallex-Webhook-Token';
const VALUE = 'whk_0123456789abcdef0123456789abcdef';

describe('verifyWallexHeader', () => {
  const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('accepts the configured header whatever its case, in Node or API Gateway header maps', () => {
    expect(verifyWallexHeader({ 'x-wallex-webhook-token': VALUE }, NAME, VALUE)).toBe(true);
    expect(verifyWallexHeader({ 'X-Wallex-Webhook-Token': VALUE }, NAME, VALUE)).toBe(true);
    expect(verifyWallexHeader({ 'x-wallex-webhook-token': [VALUE, 'other'] }, NAME, VALUE)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalled();
  });

  it('refuses a wrong, shorter, longer or missing value, comparing in constant time when present', () => {
    expect(verifyWallexHeader({ [NAME]: `${VALUE.slice(0, -1)}0` }, NAME, VALUE)).toBe(false);
    expect(verifyWallexHeader({ [NAME]: VALUE.slice(0, 5) }, NAME, VALUE)).toBe(false);
    expect(verifyWallexHeader({ [NAME]: `${VALUE}x` }, NAME, VALUE)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
    expect(verifyWallexHeader({}, NAME, VALUE)).toBe(false);
    expect(verifyWallexHeader({ [NAME]: '' }, NAME, VALUE)).toBe(false);
    expect(verifyWallexHeader({ 'x-other': VALUE }, NAME, VALUE)).toBe(false);
  });

  it('treats an empty configured value as a deployment fault', () => {
    expect(() => verifyWallexHeader({ [NAME]: '' }, NAME, '')).toThrow(ConfigurationError);
  });
});

describe('parseWallexNotification', () => {
  it('reads the user notification into ids and statuses with the mapped profile status', () => {
    const result = parseWallexNotification({
      resource: 'user',
      resourceId: '282c5ec7-50c0-4fe9-b586-92cbad1e3458',
      status: 'approved',
    });
    expect(result).toEqual({
      success: true,
      notification: {
        kind: 'user',
        resource: 'user',
        userId: '282c5ec7-50c0-4fe9-b586-92cbad1e3458',
        status: 'approved',
        profileStatus: 'verified',
        unknownStatus: false,
        dedupeKey: 'wallex:user:282c5ec7-50c0-4fe9-b586-92cbad1e3458:approved',
      },
    });
  });

  it('flags an unknown user status rather than guessing', () => {
    const result = parseWallexNotification({ resource: 'user', resourceId: 'u-1', status: 'Active' });
    expect(result).toMatchObject({
      success: true,
      notification: { profileStatus: 'unknown', unknownStatus: true, status: 'Active' },
    });
  });

  it('reads funding and refund notifications, with distinct dedupe keys', () => {
    const funding = parseWallexNotification({
      fundingId: '483b4698c23a11e99f0806655537f802',
      resource: 'funding',
      status: 'completed',
    });
    const refund = parseWallexNotification({
      refundId: '483b4698c23a11e99f0806655537f802',
      resource: 'simple_payment',
      status: 'completed',
    });
    expect(funding).toMatchObject({
      success: true,
      notification: { kind: 'funding', fundingId: '483b4698c23a11e99f0806655537f802', status: 'completed' },
    });
    expect(refund).toMatchObject({
      success: true,
      notification: { kind: 'refund', refundId: '483b4698c23a11e99f0806655537f802' },
    });
    if (funding.success && refund.success) expect(funding.notification.dedupeKey).not.toBe(refund.notification.dedupeKey);
  });

  it('gives the same dedupe key to a repeat and another to the next transition', () => {
    const key = (status: string) => {
      const r = parseWallexNotification({ resource: 'user', resourceId: 'u-1', status });
      return r.success ? r.notification.dedupeKey : undefined;
    };
    expect(key('pending_approval')).toBe(key('pending_approval'));
    expect(key('pending_approval')).not.toBe(key('approved'));
  });

  it('acknowledges resources it does not act on', () => {
    expect(parseWallexNotification({ resource: 'collection', resourceId: 'c-1', status: 'completed' })).toMatchObject({
      success: true,
      notification: { kind: 'other', resource: 'collection' },
    });
  });

  it('names the failing fields of a malformed notification', () => {
    const result = parseWallexNotification({ resource: 'user', status: 'approved' });
    expect(result).toEqual({ success: false, errors: [expect.objectContaining({ path: 'resourceId' })] });
    expect(parseWallexNotification('nope').success).toBe(false);
  });
});

describe('re-reading a notified resource', () => {
  const clientAnswering = (answer: unknown) => {
    const calls: string[] = [];
    const client = {
      request: async (method: string, path: string) => {
        calls.push(`${method} ${path}`);
        return answer;
      },
      upload: async () => undefined,
    };
    return { calls, client: client as never };
  };

  it('confirms a funding status with GET /v2/fundings/:id', async () => {
    const { calls, client } = clientAnswering({
      id: 'f 1',
      balanceId: 'b',
      accountId: 'a',
      currency: 'IDR',
      amount: 100000,
      reference: 'r',
      status: 'completed',
    });
    await expect(getFunding(client, 'f 1')).resolves.toEqual({ id: 'f 1', status: 'completed', currency: 'IDR', reference: 'r' });
    expect(calls).toEqual(['GET /v2/fundings/f%201']);
  });

  it('reads a refund, whose documented answer carries no status', async () => {
    const { calls, client } = clientAnswering({
      id: 'r1',
      resource: 'simple_payment',
      resourceId: 'p1',
      currency: 'IDR',
      amount: 1,
    });
    await expect(getRefund(client, 'r1')).resolves.toEqual({ id: 'r1', resource: 'simple_payment', resourceId: 'p1' });
    expect(calls).toEqual(['GET /v2/refunds/r1']);
  });

  it('treats an answer of the wrong shape as the provider not working', async () => {
    await expect(getFunding(clientAnswering({ nope: true }).client, 'f1')).rejects.toBeInstanceOf(ProviderUnavailable);
  });
});
