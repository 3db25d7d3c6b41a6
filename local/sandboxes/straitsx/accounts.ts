import { createHash } from 'node:crypto';
import type { Reply, Router, SandboxRequest } from '../kit';
import { connectMigrationFor } from './connect';
import { errorList, invalid, notFound, ok } from './replies';
import type { AccountStatus, StoredAccount, StraitsxStore } from './store';

/** The collecting entity named in SGD transfer instructions (as in the reference's examples). */
const PAYEE = 'Xfers Pte Ltd';

/** An account in the provider's envelope; SGD answers exactly as the reference's example shows. */
export function accountDocument(account: StoredAccount, store: StraitsxStore) {
  let attributes: Record<string, unknown>;
  if (account.currency === 'SGD' && account.status === 'enabled') {
    attributes = {
      referenceId: account.referenceId,
      instructions: {
        bankShortCode: account.bankShortCode,
        accountNo: account.accountNo,
        recipient_name: PAYEE,
        bank_payee_name: PAYEE,
      },
    };
  } else {
    attributes = { referenceId: account.referenceId, currency: account.currency, status: account.status };
    if (account.currency === 'USD' && account.status === 'enabled') {
      const owner = store.profiles.get(account.customerProfileId)?.attributes.customerName;
      attributes.instructions = {
        recipientName: typeof owner === 'string' ? owner : '',
        bankName: 'DBS Bank',
        bankAddress: '12 Marina Boulevard, DBS Asia Central, Marina Bay Financial Centre Tower 3, Singapore 018982',
        bankCountry: 'Singapore',
        swiftBic: 'DBSSSGSGXXX',
        accountNo: account.accountNo,
      };
    }
  }
  return { data: { id: account.id, type: 'virtual_bank_account', attributes } };
}

interface AccountRequest {
  referenceId: string;
  customerProfileId: string;
  currency: 'SGD' | 'USD';
  network: 'fast' | 'meps' | 'swift';
  bankShortCode: string;
  userApiToken?: string;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

// Reads the JSON:API body and applies the documented defaults; a string is an error message.
function readRequest(body: unknown): AccountRequest | string {
  const data = record(record(body).data);
  const attributes = record(data.attributes);
  const relationships = record(data.relationships);
  const { referenceId, currency = 'SGD', bankShortCode = 'FAZZ', network } = attributes;
  if (referenceId === undefined || referenceId === null || referenceId === '') return 'referenceId is missing';
  if (typeof referenceId !== 'string' || referenceId.trim().length < 1 || referenceId.trim().length > 191) {
    return 'referenceId must be 1 to 191 characters';
  }
  if (currency !== 'SGD' && currency !== 'USD') return 'currency must be SGD or USD';
  const chosen = network ?? (currency === 'USD' ? 'swift' : 'fast');
  if (chosen !== 'fast' && chosen !== 'meps' && chosen !== 'swift') return 'network must be fast, meps or swift';
  if (currency === 'USD' && chosen !== 'swift') return `network ${chosen} is available for SGD only`;
  if (currency === 'SGD' && bankShortCode !== 'FAZZ') return 'bankShortCode must be FAZZ';
  const profileId = record(record(relationships.customerProfile).data).id;
  if (typeof profileId !== 'string' || profileId.trim() === '') return 'customerProfile id is missing';
  const token = relationships.userApiToken;
  if (token !== undefined && (typeof token !== 'string' || token === '')) return 'userApiToken must be a non-empty string';
  return {
    referenceId,
    customerProfileId: profileId,
    currency,
    network: chosen,
    bankShortCode: currency === 'USD' ? 'DBS' : 'FAZZ',
    userApiToken: typeof token === 'string' ? token : undefined,
  };
}

// Hashed, so a Connect user token sent for migration is not held in the sandbox's memory.
const fingerprintOf = (r: AccountRequest) =>
  createHash('sha256')
    .update(JSON.stringify([r.customerProfileId, r.currency, r.network, r.bankShortCode, r.userApiToken ?? null]))
    .digest('hex');

function create(store: StraitsxStore, request: SandboxRequest): Reply {
  const parsed = readRequest(request.body);
  if (typeof parsed === 'string') return invalid(parsed);
  const fingerprint = fingerprintOf(parsed);
  // referenceId is the idempotency key: the same request gets the same account, a different one a 409.
  const existingId = store.accountsByReference.get(parsed.referenceId);
  const existing = existingId ? store.accounts.get(existingId) : undefined;
  if (existing) {
    if (existing.fingerprint !== fingerprint) return errorList(409, 'STXE-7000', 'Duplicated Idempotency Key');
    return ok(accountDocument(existing, store));
  }
  const profile = store.profiles.get(parsed.customerProfileId);
  if (!profile) return notFound('Customer profile');
  if (profile.verificationStatus !== 'verified') return errorList(422, 'STXE-4000', 'Customer Profile Is Not Verified');
  // A Connect user's token links their old account (migration): its number carries over.
  const migration =
    parsed.userApiToken === undefined
      ? undefined
      : connectMigrationFor(store, parsed.userApiToken, parsed.referenceId, parsed.currency);
  if (migration && 'refused' in migration) return migration.refused;
  const carried = migration?.accountNo;
  const account = store.addAccount({
    referenceId: parsed.referenceId,
    customerProfileId: profile.id,
    currency: parsed.currency,
    network: parsed.network,
    bankShortCode: parsed.bankShortCode,
    // SGD accounts are enabled at once; USD ones wait for the bank (virtualAccountStatusUpdated).
    status: parsed.currency === 'SGD' ? 'enabled' : 'pending',
    migrated: carried !== undefined,
    ...(carried ? { accountNo: carried } : {}),
    fingerprint,
  });
  return ok(accountDocument(account, store));
}

function get(store: StraitsxStore, request: SandboxRequest): Reply {
  const account = store.accounts.get(request.params.id ?? '');
  return account ? ok(accountDocument(account, store)) : notFound('Virtual bank account');
}

/** Changes an account's status, as the sandbox's enable/disable simulation does; false if unknown. */
export function setAccountStatus(store: StraitsxStore, id: string, status: AccountStatus): boolean {
  const account = store.accounts.get(id);
  if (!account) return false;
  account.status = status;
  return true;
}

/** Adds the virtual bank account endpoints under `/v1/payment_methods/virtual_bank_accounts`. */
export function addAccountRoutes(router: Router, store: StraitsxStore): void {
  router
    .add('POST', '/v1/payment_methods/virtual_bank_accounts', (request) => create(store, request))
    .add('GET', '/v1/payment_methods/virtual_bank_accounts/:id', (request) => get(store, request));
}
