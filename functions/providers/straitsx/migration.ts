import { ProviderAuthFailed } from '../../shared/errors';
import { rateGroup } from '../../store/rate-budget';
import type { AccountResult } from '../port';
import { type StraitsxVirtualAccountDocument, toAccountResult, toVirtualAccountBody } from './mappers';
import { connectUserTransport, type StraitsxTransport, straitsxTransport } from './transport';

/**
 * Moving a user of the legacy Connect flow onto a customer profile (StraitsX "Connect User Migration
 * Guide"): create the virtual bank account with the user's past `merchant_ref` as `referenceId` and
 * their `user_api_token` under `relationships`, then check that the account number carried over by
 * reading the old one from the legacy Connect API (`GET /user/transfer_info`).
 *
 * The token is a credential: it goes into the request body and header and nowhere else, and no error
 * raised here carries it (provider errors name provider, status and code only).
 */

/** The create-virtual-account body of a migration: the usual SGD body plus the Connect token. */
export function toMigrationAccountBody(merchantRef: string, profileId: string, userApiToken: string): Record<string, unknown> {
  const body = toVirtualAccountBody(merchantRef, profileId, { currency: 'SGD', network: 'fast' }) as {
    data: { attributes: Record<string, unknown>; relationships: Record<string, unknown> };
  };
  return { data: { ...body.data, relationships: { ...body.data.relationships, userApiToken } } };
}

/**
 * The account number in a legacy `transfer_info` answer (`bank_account_no`), or undefined when the user
 * has none. Singapore answers one object; the Indonesian variant answers a list, whose first entry is
 * the account shown to the user. Nothing else is read: the answer also carries the user's phone number
 * (`unique_id`), which must not travel further.
 */
export function legacyAccountNumberOf(answer: unknown): string | undefined {
  const first = Array.isArray(answer) ? answer[0] : answer;
  if (typeof first !== 'object' || first === null) return undefined;
  const value = (first as { bank_account_no?: unknown }).bank_account_no;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Account numbers compared as the bank reads them: letters and digits, separators ignored. */
export function sameAccountNumber(a: string | undefined, b: string | undefined): boolean {
  const norm = (value: string) => value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return a !== undefined && b !== undefined && norm(a) !== '' && norm(a) === norm(b);
}

/**
 * True when StraitsX refused the user's Connect token (XFE5 "Invalid user api token": unknown, or revoked
 * by the user). That is the user's doing, not a fault of ours: the migration needs a person, not a retry.
 */
export function isConnectTokenRefused(error: unknown): boolean {
  return error instanceof ProviderAuthFailed && error.code === 'XFE5';
}

export interface MigrationContext {
  profileId: string;
  /** The user's past Connect merchant_ref: the new account's referenceId. */
  merchantRef: string;
  userApiToken: string;
}

export interface MigrationResult {
  account: AccountResult;
  /** The number the user had under Connect, or undefined when the legacy API shows none. */
  legacyAccountNo?: string;
  matched: boolean;
}

/** The clients a migration needs: the Customer Profile API, and the legacy host acting for one user. */
export interface MigrationTransports {
  api: () => Promise<StraitsxTransport>;
  legacy: (userApiToken: string) => Promise<StraitsxTransport>;
}

/** The StraitsX side of a Connect migration. Both calls are safe to repeat. */
export class StraitsxConnectMigration {
  constructor(private readonly transports: MigrationTransports) {}

  /** The virtual account number the user has under Connect, read with their token. */
  async legacyAccountNumber({ userApiToken, merchantRef }: Omit<MigrationContext, 'profileId'>): Promise<string | undefined> {
    const legacy = await this.transports.legacy(userApiToken);
    const answer = await legacy.request<unknown>('GET', '/user/transfer_info', { query: { merchant_ref: merchantRef } });
    return legacyAccountNumberOf(answer);
  }

  /**
   * Creates the migrated virtual account. The referenceId is the past merchant_ref, which is also
   * StraitsX's idempotency key for accounts: a repeat gets the same account back, not a second one.
   */
  async createMigratedAccount({ profileId, merchantRef, userApiToken }: MigrationContext): Promise<AccountResult> {
    const api = await this.transports.api();
    const doc = await api.request<StraitsxVirtualAccountDocument>('POST', '/payment_methods/virtual_bank_accounts', {
      body: toMigrationAccountBody(merchantRef, profileId, userApiToken),
    });
    return toAccountResult(doc, true);
  }

  /**
   * Reads the old number first, then creates the account and compares. Reading first means a revoked or
   * unknown token stops the migration before anything is created at the provider, and the number
   * compared against is the one the user knew before the migration touched their Connect account.
   */
  async migrate(context: MigrationContext): Promise<MigrationResult> {
    // The legacy read and the create share the StraitsX budget: paced as one group of two requests.
    return rateGroup(2, async () => {
      const legacyAccountNo = await this.legacyAccountNumber(context);
      const account = await this.createMigratedAccount(context);
      return { account, legacyAccountNo, matched: sameAccountNumber(account.accountNo, legacyAccountNo) };
    });
  }
}

let made: StraitsxConnectMigration | undefined;

/** The migration wired to the deployed configuration (secret, base URLs, shared rate budget). */
export function straitsxConnectMigration(): StraitsxConnectMigration {
  made ??= new StraitsxConnectMigration({ api: straitsxTransport, legacy: connectUserTransport });
  return made;
}
