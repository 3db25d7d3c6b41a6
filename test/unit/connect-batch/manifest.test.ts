import { describe, expect, it } from 'vitest';
import { parseCsv, readManifest } from '../../../functions/flows/straitsx-connect-batch/manifest';
import { countOutcomes, isSettled, outcomeOf } from '../../../functions/flows/straitsx-connect-batch/outcome';
import { reportCsv } from '../../../functions/flows/straitsx-connect-batch/report';
import type { OnboardingRecord } from '../../../functions/onboarding/record';

describe('reading a batch manifest', () => {
  it('reads CSV with dotted profile columns and the legacy Connect column names', () => {
    const csv = [
      'merchant_ref,user_api_token,customer.registrationType,customer.customerName,customer.registrationId',
      'legacy-1,tok_a,personal,"Tan, Mei Ling",S1234567A',
      'legacy-2,tok_b,personal,"Say ""hi""",S7654321B',
      '',
    ].join('\r\n');
    const { rows, refused } = readManifest(csv);
    expect(refused).toEqual([]);
    expect(rows).toEqual([
      {
        row: 1,
        body: {
          merchantRef: 'legacy-1',
          userApiToken: 'tok_a',
          customer: { registrationType: 'personal', customerName: 'Tan, Mei Ling', registrationId: 'S1234567A' },
        },
      },
      {
        row: 2,
        body: {
          merchantRef: 'legacy-2',
          userApiToken: 'tok_b',
          customer: { registrationType: 'personal', customerName: 'Say "hi"', registrationId: 'S7654321B' },
        },
      },
    ]);
  });

  it('leaves an empty CSV cell out, so an optional field is absent rather than empty', () => {
    const { rows } = readManifest('merchantRef,userApiToken,customer.email\nref-1,tok,\n');
    expect(rows[0]?.body).toEqual({ merchantRef: 'ref-1', userApiToken: 'tok' });
  });

  it('refuses a CSV row whose cells do not match the header, by row number', () => {
    const { rows, refused } = readManifest('merchantRef,userApiToken\nref-1,tok\nref-2\n');
    expect(rows).toHaveLength(1);
    expect(refused).toEqual([{ row: 2, field: '', rule: 'the row must have 2 cells, as the header' }]);
  });

  it('reads JSON Lines by line number and refuses a line that is not JSON, without repeating it', () => {
    const text = '{"merchant_ref":"ref-1","userApiToken":"tok"}\n\n{not json tok_secret\n';
    const { rows, refused } = readManifest(text);
    expect(rows).toEqual([{ row: 1, body: { merchantRef: 'ref-1', userApiToken: 'tok' } }]);
    expect(refused).toEqual([{ row: 3, field: '', rule: 'the line must be one JSON object' }]);
    expect(JSON.stringify(refused)).not.toContain('tok_secret');
  });

  it('keeps line breaks inside quoted CSV cells', () => {
    expect(parseCsv('a,b\n"1\n2",3')).toEqual([
      ['a', 'b'],
      ['1\n2', '3'],
    ]);
  });
});

const record = (status: OnboardingRecord['status'], extra: Record<string, unknown> = {}) =>
  ({ onboardingId: 'onb_x', status, ...extra }) as unknown as OnboardingRecord;

describe('a user’s outcome in the batch report', () => {
  it('reads each end of a migration from its record', () => {
    expect(outcomeOf(record('COMPLETED', { migration: { status: 'MIGRATED' } }))).toBe('MIGRATED');
    expect(outcomeOf(record('NEEDS_ATTENTION', { migration: { status: 'MISMATCH' } }))).toBe('MISMATCH');
    expect(outcomeOf(record('NEEDS_ATTENTION'))).toBe('NEEDS_ATTENTION');
    expect(outcomeOf(record('REJECTED'))).toBe('REJECTED');
    expect(outcomeOf(record('FAILED'))).toBe('FAILED');
    expect(outcomeOf(record('IN_PROGRESS'))).toBe('PENDING');
  });

  it('tries again only a migration never started or failed; leaves the rest alone', () => {
    expect(isSettled(record('ACCEPTED'))).toBe(false);
    expect(isSettled(record('FAILED', { executionArn: 'arn' }))).toBe(false);
    expect(isSettled(record('ACCEPTED', { executionArn: 'arn' }))).toBe(true);
    expect(isSettled(record('COMPLETED', { executionArn: 'arn' }))).toBe(true);
    expect(isSettled(record('NEEDS_ATTENTION', { executionArn: 'arn' }))).toBe(true);
  });

  it('counts every outcome, zero included, and writes the report as CSV', () => {
    expect(countOutcomes(['MIGRATED', 'MIGRATED', 'SKIPPED'])).toEqual({
      MIGRATED: 2,
      MISMATCH: 0,
      REJECTED: 0,
      NEEDS_ATTENTION: 0,
      FAILED: 0,
      SKIPPED: 1,
    });
    expect(
      reportCsv([
        { row: 1, migrationId: 'onb_a', merchantRef: 'ref-1', outcome: 'SKIPPED', previous: 'MIGRATED', status: 'COMPLETED' },
      ]),
    ).toBe('row,migrationId,merchantRef,outcome,previous,status\n1,onb_a,ref-1,SKIPPED,MIGRATED,COMPLETED\n');
  });
});
