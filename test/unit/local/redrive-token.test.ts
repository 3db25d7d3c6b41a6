import { describe, expect, it } from 'vitest';
import { REDRIVE_TOKEN_TTL_MS, repeatsLatestRedrive } from '../../../local/cloud/sfn/redrive';
import type { ExecutionRecord } from '../../../local/cloud/sfn/types';

const redriveDate = new Date('2026-12-01T10:00:00Z');
const record = { redriveCount: 2, redriveDate, redriveToken: 'token-2' } as ExecutionRecord;

describe('RedriveExecution client tokens', () => {
  it('answers the latest redrive again for its token within 15 minutes', () => {
    expect(repeatsLatestRedrive(record, 'token-2', redriveDate.getTime() + REDRIVE_TOKEN_TTL_MS - 1)).toBe(true);
  });

  it('treats the token as a new request once 15 minutes have passed', () => {
    expect(repeatsLatestRedrive(record, 'token-2', redriveDate.getTime() + REDRIVE_TOKEN_TTL_MS)).toBe(false);
  });

  it("treats an earlier redrive's token, or none, as a new request", () => {
    expect(repeatsLatestRedrive(record, 'token-1', redriveDate.getTime())).toBe(false);
    expect(repeatsLatestRedrive(record, undefined, redriveDate.getTime())).toBe(false);
  });
});
