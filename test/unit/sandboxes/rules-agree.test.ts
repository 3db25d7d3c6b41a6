import { describe, expect, it } from 'vitest';
import { CUSTOMER_STATUSES as CLIENT_STATUSES } from '../../../functions/providers/straddle/schema';
import * as client from '../../../functions/providers/wallex/schema-lists';
import { CUSTOMER_STATUSES as SANDBOX_STATUSES } from '../../../local/sandboxes/straddle/rules';
import * as sandbox from '../../../local/sandboxes/wallex/lists';

// Each side reads the provider's page on its own; a list one of them misread shows up here.
describe('client and sandboxes read the same value lists', () => {
  it.each<[string, readonly string[], readonly string[]]>([
    ['EMPLOYMENT_STATUSES', client.EMPLOYMENT_STATUSES, sandbox.EMPLOYMENT_STATUSES],
    ['EMPLOYMENT_INDUSTRIES', client.EMPLOYMENT_INDUSTRIES, sandbox.EMPLOYMENT_INDUSTRIES],
    ['EMPLOYMENT_POSITIONS', client.EMPLOYMENT_POSITIONS, sandbox.EMPLOYMENT_POSITIONS],
    ['DOCUMENT_TYPES', client.DOCUMENT_TYPES, sandbox.DOCUMENT_TYPES],
    ['TITLES', client.TITLES, sandbox.TITLES],
    ['GENDERS', client.GENDERS, sandbox.GENDERS],
    ['IDENTIFICATION_TYPES', client.IDENTIFICATION_TYPES, sandbox.IDENTIFICATION_TYPES],
    ['ACCOUNT_TYPES', client.ACCOUNT_TYPES, sandbox.ACCOUNT_TYPES],
    ['LANGUAGES', client.LANGUAGES, sandbox.LANGUAGES],
    ['KYC_REQUIRED_FIELDS', client.KYC_REQUIRED_FIELDS, sandbox.KYC_REQUIRED_FIELDS],
    ['KYC_OPTIONAL_FIELDS', client.KYC_OPTIONAL_FIELDS, sandbox.KYC_OPTIONAL_FIELDS],
  ])('Wallex %s', (_name, fromClient, fromSandbox) => {
    expect([...fromClient].sort()).toEqual([...fromSandbox].sort());
  });

  it('Straddle customer statuses', () => {
    expect([...CLIENT_STATUSES].sort()).toEqual([...SANDBOX_STATUSES].sort());
  });
});
