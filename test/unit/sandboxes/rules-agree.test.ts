import { describe, expect, it } from 'vitest';
import { CUSTOMER_STATUSES as CLIENT_STATUSES } from '../../../functions/providers/straddle/schema';
import * as client from '../../../functions/providers/wallex/schema-lists';
import { CUSTOMER_STATUSES as SANDBOX_STATUSES } from '../../../local/sandboxes/straddle/rules';
import * as sandbox from '../../../local/sandboxes/wallex/lists';

// Each side reads the provider's page on its own; a list one of them misread shows up here.
describe('client and sandboxes read the same value lists', () => {
  it.each([
    'EMPLOYMENT_STATUSES',
    'EMPLOYMENT_INDUSTRIES',
    'EMPLOYMENT_POSITIONS',
    'DOCUMENT_TYPES',
    'TITLES',
    'GENDERS',
    'IDENTIFICATION_TYPES',
    'ACCOUNT_TYPES',
    'LANGUAGES',
    'KYC_REQUIRED_FIELDS',
    'KYC_OPTIONAL_FIELDS',
  ] as const)('Wallex %s', (name) => {
    expect([...client[name]].sort()).toEqual([...sandbox[name]].sort());
  });

  it('Straddle customer statuses', () => {
    expect([...CLIENT_STATUSES].sort()).toEqual([...SANDBOX_STATUSES].sort());
  });
});
