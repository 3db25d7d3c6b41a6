import { describe, expect, it } from 'vitest';
import {
  detailComplete,
  isBeforeScreening,
  isUnknownWallexStatus,
  listOf,
  missingFieldsOf,
  toProfileResult,
  toProfileStatus,
  uploadUrlOf,
} from '../../../functions/providers/wallex/mappers';

describe('Wallex user status mapping', () => {
  it.each([
    ['approved', 'verified'],
    ['pending_approval', 'pending'],
    ['pending', 'pending'],
    ['pendng', 'pending'],
    ['document_needs_resubmission', 'needs_documents'],
    ['documents_need_resubmission', 'needs_documents'],
    ['rejected', 'rejected'],
    ['withdrawn', 'rejected'],
    ['terminated', 'rejected'],
    ['closed', 'rejected'],
    [' APPROVED ', 'verified'],
  ])('maps %s to %s', (word, status) => {
    expect(toProfileStatus(word)).toBe(status);
    expect(isUnknownWallexStatus(word)).toBe(false);
  });

  it.each([['Active'], ['pending_docs'], ['draft'], ['review'], [''], [undefined]])(
    'never approves an unknown word (%s): unknown, flagged, raw word kept',
    (word) => {
      expect(toProfileStatus(word)).toBe('unknown');
      expect(isUnknownWallexStatus(word)).toBe(true);
      const result = toProfileResult('u-1', word, false);
      expect(result).toMatchObject({ profileId: 'u-1', status: 'unknown', created: false });
      expect(result.providerStatus).toBe(word?.trim() ? word : '(none)');
    },
  );

  it('keeps an odd provider word off the record', () => {
    expect(toProfileResult('u-1', 'approved <script>', false).providerStatus).toBe('(unrecognised)');
  });

  it('gives a rejection its status word as the reason, never the remarks', () => {
    expect(toProfileResult('u-1', 'terminated', false)).toEqual({
      profileId: 'u-1',
      status: 'rejected',
      created: false,
      providerStatus: 'terminated',
      rejection: { reason: 'wallex status terminated', retryable: false },
    });
  });

  it('tells a user not yet screened from one under or after screening', () => {
    expect(isBeforeScreening('pending')).toBe(true);
    expect(isBeforeScreening('pendng')).toBe(true);
    expect(isBeforeScreening('pending_approval')).toBe(false);
    expect(isBeforeScreening('approved')).toBe(false);
  });
});

describe('Wallex answer readers', () => {
  it('accepts both spellings of the upload URL and both listing shapes', () => {
    expect(uploadUrlOf({ uploadUrl: 'a' })).toBe('a');
    expect(uploadUrlOf({ uploadURL: 'b' })).toBe('b');
    expect(listOf({ value: [1, 2] })).toEqual([1, 2]);
    expect(listOf([3])).toEqual([3]);
    expect(listOf(undefined)).toEqual([]);
  });

  it('reads the user-detail status object', () => {
    const incomplete = { status: { value: 'incomplete', missing_fields: ['mobileNumber', 'nationality'] } };
    expect(missingFieldsOf(incomplete)).toEqual(['mobileNumber', 'nationality']);
    expect(detailComplete(incomplete)).toBe(false);
    expect(detailComplete({ status: { value: 'complete', missing_fields: [] } })).toBe(true);
    expect(detailComplete({ status: 'complete' })).toBe(false);
    expect(missingFieldsOf(undefined)).toEqual([]);
  });
});
