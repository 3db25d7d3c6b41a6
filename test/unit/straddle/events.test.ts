import { describe, expect, it } from 'vitest';
import { isNewer, parseStraddleEvent } from '../../../functions/providers/straddle/events';

const event = (eventType: string, data: Record<string, unknown>) => ({
  event_type: eventType,
  event_id: 'evt-1',
  account_id: 'acct-1',
  data: { name: 'Ron Swanson', email: 'ron@pawnee.example', phone: '+12128675309', ...data },
});

describe('parseStraddleEvent', () => {
  it('reduces customer.event.v1 to ids, statuses and the change time', () => {
    const parsed = parseStraddleEvent(
      event('customer.event.v1', {
        id: 'c-1',
        status: 'verified',
        updated_at: '2025-01-02T00:00:00Z',
        status_details: { changed_at: '2025-01-01T12:00:00Z' },
      }),
      'msg_abc',
    );
    expect(parsed).toEqual({
      success: true,
      event: {
        kind: 'profile',
        eventType: 'customer.event.v1',
        eventId: 'evt-1',
        accountId: 'acct-1',
        profileId: 'c-1',
        status: 'verified',
        providerStatus: 'verified',
        changedAt: '2025-01-01T12:00:00Z',
        dedupeKey: 'straddle:msg_abc',
      },
    });
    expect(JSON.stringify(parsed)).not.toMatch(/Ron|pawnee|\+1212/);
  });

  it('falls back to updated_at, and to event_id for the dedupe key', () => {
    const parsed = parseStraddleEvent(
      event('customer.created.v1', { id: 'c-1', status: 'inactive', updated_at: '2025-01-03T00:00:00Z' }),
    );
    expect(parsed).toMatchObject({
      success: true,
      event: {
        eventType: 'customer.created.v1',
        status: 'rejected',
        providerStatus: 'inactive',
        changedAt: '2025-01-03T00:00:00Z',
        dedupeKey: 'straddle:evt-1',
      },
    });
  });

  it('acknowledges events of other resources without acting on them', () => {
    expect(parseStraddleEvent({ event_type: 'paykey.event.v1', event_id: 'e2', data: {} }, 'msg_2')).toEqual({
      success: true,
      event: { kind: 'ignored', eventType: 'paykey.event.v1', eventId: 'e2', dedupeKey: 'straddle:msg_2' },
    });
  });

  it('names the failing fields of a malformed event, without values', () => {
    const parsed = parseStraddleEvent(event('customer.event.v1', { id: 'c-1', status: 'approved' }));
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.errors.map((e) => e.path)).toEqual(['data.status']);
    expect(parseStraddleEvent(event('customer.event.v1', { id: 'c-1', status: 'review' }))).toMatchObject({
      success: false,
      errors: [{ path: 'data.updated_at' }],
    });
    expect(parseStraddleEvent({ data: {} })).toMatchObject({ success: false });
  });
});

describe('isNewer', () => {
  it('orders by the resource time, not by arrival', () => {
    const early = { changedAt: '2025-01-01T00:00:00.100Z' };
    const late = { changedAt: '2025-01-01T00:00:00.200Z' };
    expect(isNewer(late, early)).toBe(true);
    expect(isNewer(early, late)).toBe(false);
    expect(isNewer(early, undefined)).toBe(true);
  });

  it('treats an equal time as not newer, and breaks ties below a millisecond', () => {
    expect(isNewer({ changedAt: '2025-01-01T00:00:00Z' }, { changedAt: '2025-01-01T00:00:00.000Z' })).toBe(false);
    expect(isNewer({ changedAt: '2025-01-01T00:00:00.123457Z' }, { changedAt: '2025-01-01T00:00:00.123456Z' })).toBe(true);
    expect(isNewer({ changedAt: '2025-01-01T00:00:00.123456Z' }, { changedAt: '2025-01-01T00:00:00.123457Z' })).toBe(false);
  });

  it('compares across time zone offsets', () => {
    expect(isNewer({ changedAt: '2025-01-01T02:00:01+02:00' }, { changedAt: '2025-01-01T00:00:00Z' })).toBe(true);
  });

  it('never lets an unreadable time win', () => {
    expect(isNewer({ changedAt: 'garbage' }, { changedAt: '2025-01-01T00:00:00Z' })).toBe(false);
    expect(isNewer({ changedAt: '2025-01-01T00:00:00Z' }, { changedAt: 'garbage' })).toBe(true);
  });
});
