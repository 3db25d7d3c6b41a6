import { describe, expect, it } from 'vitest';
import { parseConnectMigrationRequest } from '../../../functions/flows/straitsx-connect/migration-request';
import type { StraitsxTransport } from '../../../functions/providers/straitsx/adapter';
import {
  isConnectTokenRefused,
  legacyAccountNumberOf,
  StraitsxConnectMigration,
  sameAccountNumber,
  toMigrationAccountBody,
} from '../../../functions/providers/straitsx/migration';
import { ProviderAuthFailed, ProviderUnavailable } from '../../../functions/shared/errors';
import { ValidationFailed } from '../../../functions/shared/validation';

const TOKEN = 'k_qoXL6xhF61y31mUqeybns61gz3KYJd6yozWnTQUDY';

const valid = (overrides: Record<string, unknown> = {}) => ({
  merchantRef: 'connect-user-0042',
  userApiToken: TOKEN,
  customer: { registrationType: 'personal', customerName: 'Lim Wei Jie', registrationId: 'S8811223H' },
  ...overrides,
});

function failures(input: unknown) {
  try {
    parseConnectMigrationRequest(input);
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('Connect migration request', () => {
  it('accepts the past merchant_ref, the token and a basic profile', () => {
    const request = parseConnectMigrationRequest(valid());
    expect(request).toEqual(valid());
  });

  it('accepts a business profile with the same customer rules as POST /onboardings', () => {
    const request = parseConnectMigrationRequest(
      valid({ customer: { registrationType: 'business', customerName: 'Kopi Kaki Trading', registrationId: '202301234N' } }),
    );
    expect(request.customer.registrationType).toBe('business');
  });

  it('lists every failing field and rule at once', () => {
    const errors = failures({
      merchantRef: 'has spaces and @',
      userApiToken: 'two words',
      customer: { registrationType: 'personal', customerName: 'Tan #1', registrationId: 'S1', email: 'nope' },
      extra: true,
    });
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['customer.customerName', 'customer.email', 'customer.registrationId', 'extra', 'merchantRef', 'userApiToken'].sort(),
    );
    expect(errors.find((e) => e.path === 'userApiToken')?.message).toMatch(/no whitespace/);
    expect(errors.find((e) => e.path === 'merchantRef')?.message).toMatch(/1 to 191/);
    expect(errors.find((e) => e.path === 'extra')?.message).toBe('is not a documented field');
  });

  it('names missing fields as required', () => {
    expect(failures({ customer: { registrationType: 'personal' } })).toEqual(
      expect.arrayContaining([
        { path: 'merchantRef', message: 'is required' },
        { path: 'userApiToken', message: 'is required' },
        { path: 'customer.customerName', message: 'is required' },
        { path: 'customer.registrationId', message: 'is required' },
      ]),
    );
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(256)],
    ['with a space', `${TOKEN.slice(0, 10)} ${TOKEN.slice(10)}`],
    ['with a newline', `${TOKEN}\n`],
    ['with a tab', `\t${TOKEN}`],
    ['not ASCII', `${TOKEN}€`],
  ])('refuses a token that is %s, without repeating it', (_, userApiToken) => {
    const errors = failures(valid({ userApiToken }));
    expect(errors.map((e) => e.path)).toEqual(['userApiToken']);
    const text = JSON.stringify(errors);
    if (userApiToken !== '') expect(text).not.toContain(userApiToken.trim().slice(0, 12));
  });

  it('never puts the token in an error, whatever else fails', () => {
    const errors = failures(valid({ customer: { registrationType: 'company' }, merchantRef: 42 }));
    const text = JSON.stringify(errors);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.slice(0, 10));
  });

  it('accepts a 255-character token and refuses a body that is not an object', () => {
    expect(parseConnectMigrationRequest(valid({ userApiToken: 'x'.repeat(255) })).userApiToken).toHaveLength(255);
    expect(failures('nope')).toEqual([{ path: '', message: 'the body must be a JSON object' }]);
  });
});

interface Call {
  client: string;
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Scripted transports: each call gets the next reply for its client, and every call is recorded. */
function scripted(replies: { api?: unknown[]; legacy?: unknown[] }) {
  const calls: Call[] = [];
  const tokens: string[] = [];
  const transport = (client: 'api' | 'legacy'): StraitsxTransport => ({
    request: async <T>(method: string, path: string, options: { query?: Record<string, unknown>; body?: unknown } = {}) => {
      calls.push({ client, method, path, ...options });
      const reply = replies[client]?.shift();
      if (reply instanceof Error) throw reply;
      return reply as T;
    },
  });
  const migration = new StraitsxConnectMigration({
    api: async () => transport('api'),
    legacy: async (token) => {
      tokens.push(token);
      return transport('legacy');
    },
  });
  return { calls, tokens, migration };
}

const vba = (accountNo: string) => ({
  data: {
    id: 'payment_method_1',
    type: 'virtual_bank_account',
    attributes: { referenceId: 'connect-user-0042', instructions: { bankShortCode: 'FAZZ', accountNo } },
  },
});
const context = { profileId: 'customer_profile_1', merchantRef: 'connect-user-0042', userApiToken: TOKEN };

describe('StraitsX Connect migration', () => {
  it('builds the documented body: past merchant_ref as referenceId, token under relationships', () => {
    expect(toMigrationAccountBody('connect-user-0042', 'customer_profile_1', TOKEN)).toEqual({
      data: {
        attributes: { referenceId: 'connect-user-0042', currency: 'SGD', bankShortCode: 'FAZZ', network: 'fast' },
        relationships: { customerProfile: { data: { id: 'customer_profile_1' } }, userApiToken: TOKEN },
      },
    });
  });

  it('reads the old number with the user token, then creates the account, and matches them', async () => {
    const { calls, tokens, migration } = scripted({
      legacy: [{ bank_account_no: '646004424001', unique_id: '97288607' }],
      api: [vba('646004424001')],
    });
    const result = await migration.migrate(context);
    expect(result).toMatchObject({
      matched: true,
      legacyAccountNo: '646004424001',
      account: { accountNo: '646004424001', status: 'enabled' },
    });
    expect(tokens).toEqual([TOKEN]);
    expect(calls.map((c) => `${c.client} ${c.method} ${c.path}`)).toEqual([
      'legacy GET /user/transfer_info',
      'api POST /payment_methods/virtual_bank_accounts',
    ]);
    expect(calls[0]!.query).toEqual({ merchant_ref: 'connect-user-0042' });
    expect(calls[1]!.body).toEqual(toMigrationAccountBody('connect-user-0042', 'customer_profile_1', TOKEN));
  });

  it('reports a mismatch when the new account has another number, or the user had none', async () => {
    const other = scripted({ legacy: [{ bank_account_no: '646004424001' }], api: [vba('8800007919')] });
    expect(await other.migration.migrate(context)).toMatchObject({ matched: false, legacyAccountNo: '646004424001' });
    const none = scripted({ legacy: [{ bank_name_full: 'OCBC' }], api: [vba('8800007919')] });
    expect(await none.migration.migrate(context)).toMatchObject({ matched: false, legacyAccountNo: undefined });
  });

  it('creates nothing when the legacy API refuses the token', async () => {
    const refused = new ProviderAuthFailed({ provider: 'straitsx', httpStatus: 401, code: 'XFE5' });
    const { calls, migration } = scripted({ legacy: [refused] });
    await expect(migration.migrate(context)).rejects.toMatchObject({ name: 'ProviderAuthFailed', code: 'XFE5' });
    expect(calls.filter((c) => c.client === 'api')).toHaveLength(0);
  });

  it('tells a refused Connect token (XFE5) from our own key being refused', () => {
    expect(isConnectTokenRefused(new ProviderAuthFailed({ provider: 'straitsx', httpStatus: 401, code: 'XFE5' }))).toBe(true);
    expect(isConnectTokenRefused(new ProviderAuthFailed({ provider: 'straitsx', httpStatus: 401, code: 'STXE-1000' }))).toBe(
      false,
    );
    expect(isConnectTokenRefused(new ProviderUnavailable({ provider: 'straitsx', httpStatus: 503, code: 'XFE5' }))).toBe(false);
  });

  it('lets retryable errors through for the workflow to retry, with no token in the message', async () => {
    const { migration } = scripted({
      legacy: [{ bank_account_no: '1' }],
      api: [new ProviderUnavailable({ provider: 'straitsx', httpStatus: 503 })],
    });
    const error = await migration.migrate(context).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'ProviderUnavailable' });
    expect(String((error as Error).message)).not.toContain(TOKEN);
  });

  it('reads the account number from either legacy answer shape and compares numbers as a bank does', () => {
    expect(legacyAccountNumberOf({ bank_account_no: ' 0393123432 ' })).toBe('0393123432');
    expect(legacyAccountNumberOf([{ bank_account_no: '8855845678901242' }, { bank_account_no: '06420856789021' }])).toBe(
      '8855845678901242',
    );
    expect(legacyAccountNumberOf({ bank_account_no: '' })).toBeUndefined();
    expect(legacyAccountNumberOf('nope')).toBeUndefined();
    expect(sameAccountNumber('646-004424-001', '646004424001')).toBe(true);
    expect(sameAccountNumber('646004424001', '646004424002')).toBe(false);
    expect(sameAccountNumber(undefined, undefined)).toBe(false);
    expect(sameAccountNumber('', '')).toBe(false);
  });
});
