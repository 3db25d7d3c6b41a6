import type { Reply, Router, SandboxRequest } from '../kit';
import { toFieldErrors } from '../kit/field-errors';
import { type DocumentCheck, fetchDocument, sniffDocument } from './documents';
import { isObject } from './profile-document';
import { notFound, ok } from './replies';
import { type BankAccountBody, bankAccountBody, bankAccountIssues } from './rules-bank-account';
import type { BankAccountStatus, StoredBankAccount, StraitsxStore } from './store';

/**
 * A customer profile's own bank accounts (`/v1/customer_profile/{id}/bank_accounts`): flat snake_case
 * bodies, answers as JSON arrays, integer ids, legacy XFE16 errors, all as the reference shows them.
 * An account starts `pending`; the provider verifies it later and calls back.
 */

/** An account as the provider answers it (flat, snake_case, optional fields only when set). */
export function bankAccountDocument(account: StoredBankAccount) {
  const { customerProfileId: _owner, ...fields } = account;
  return fields;
}

/** Sets an account's verification_status, as the sandbox's simulation endpoint does; undefined if unknown. */
export function setBankAccountStatus(
  store: StraitsxStore,
  profileId: string,
  bankAccountId: number,
  status: BankAccountStatus,
): StoredBankAccount | undefined {
  const account = store.bankAccounts.get(bankAccountId);
  if (!account || account.customerProfileId !== profileId) return undefined;
  account.verification_status = status;
  account.updated_at = store.nowMillis();
  return account;
}

const legacyError = (error: string): Reply => ({ status: 400, body: { error, error_code: 'XFE16' } });

// The reference's own answer to a proof it cannot use ("Invalid file format").
const proofFailed = (): Reply => ({
  status: 400,
  body: { error: 'Something went wrong with Bank Account Proof Document', info: 'Received Request: nil' },
});

/**
 * A refused body in the endpoint's documented `{error, info}` envelope (the one its proof example shows):
 * every failing field in `error`, joined by "; ", never a submitted value.
 */
function refused(messages: readonly string[]): Reply {
  return { status: 400, body: { error: messages.join('; '), info: 'Invalid parameters' } };
}

// Same number for the same profile, ignoring case: the provider keeps one account per number.
const sameAccount = (store: StraitsxStore, profileId: string, accountNo: string) =>
  [...store.bankAccounts.values()].some(
    (a) => a.customerProfileId === profileId && a.account_no.toUpperCase() === accountNo.toUpperCase(),
  );

// The proof as the provider lists it: its file name (the reference shows `bankAccountProofPlaceholder.png`).
function proofName(proof: BankAccountBody['bank_account_proof']): string {
  if (proof.fileName !== undefined) return proof.fileName;
  const path = (proof.fileUrl ?? '').replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'bankAccountProof';
}

async function proofUsable(proof: BankAccountBody['bank_account_proof'], check: DocumentCheck): Promise<boolean> {
  if (proof.fileData !== undefined) {
    const data = proof.fileData.slice(proof.fileData.indexOf(',') + 1);
    return sniffDocument(Buffer.from(data.slice(0, 16), 'base64')) !== undefined;
  }
  if (proof.fileUrl !== undefined && check.fetchDocuments)
    return (await fetchDocument(proof.fileUrl, check.timeoutMs)) === undefined;
  return true;
}

async function create(store: StraitsxStore, request: SandboxRequest, check: DocumentCheck): Promise<Reply> {
  const profileId = request.params.id ?? '';
  if (!store.profiles.has(profileId)) return notFound('Customer profile');
  if (!isObject(request.body)) return refused(['Request body must be a JSON object']);
  const parsed = bankAccountBody.safeParse(request.body);
  const fieldErrors = parsed.success ? [] : toFieldErrors(parsed.error).map((e) => describe(e.path, e.message));
  const messages = [...fieldErrors, ...bankAccountIssues(request.body).map((i) => i.message)];
  if (!parsed.success || messages.length > 0) return refused(messages);
  const body = parsed.data;
  const proof = body.bank_account_proof;
  // The provider fetches proofs only from links without a query string, so presigned links fail.
  if (proof.fileUrl?.includes('?')) return legacyError('Invalid file url provided');
  if (sameAccount(store, profileId, body.account_no)) return legacyError('Customer profile bank account already exists');
  if (!(await proofUsable(proof, check))) return proofFailed();
  // The fetch let other requests run: look again, so two concurrent creates cannot both store.
  if (sameAccount(store, profileId, body.account_no)) return legacyError('Customer profile bank account already exists');

  const { bank_account_proof: _proof, bank, ...rest } = body;
  const account = store.addBankAccount({
    customerProfileId: profileId,
    ...rest,
    // Not said for a SWIFT-only account; the BIC's first four letters are its bank code.
    bank_abbrev: bank ?? (body.swift_bic ?? '').slice(0, 4),
    bank_account_proof: proofName(proof),
    disabled: false,
    verification_status: 'pending',
  });
  return ok([bankAccountDocument(account)]);
}

function list(store: StraitsxStore, request: SandboxRequest): Reply {
  const profileId = request.params.id ?? '';
  if (!store.profiles.has(profileId)) return notFound('Customer profile');
  const owned = [...store.bankAccounts.values()].filter((a) => a.customerProfileId === profileId);
  return ok(owned.map(bankAccountDocument));
}

// `account_no is required`: the full path, then the rule (messages that already start with the leaf keep it once).
function describe(path: string, message: string): string {
  const leaf = path.split('.').pop() ?? path;
  if (!path) return message;
  if (message === 'is required') return `${path} is missing`;
  return message.startsWith(`${leaf} `) ? `${path}${message.slice(leaf.length)}` : `${path} ${message}`;
}

/** Adds the customer profile bank account endpoints under `/v1/customer_profile/{id}/bank_accounts`. */
export function addBankAccountRoutes(router: Router, store: StraitsxStore, check: DocumentCheck): void {
  router
    .add('POST', '/v1/customer_profile/:id/bank_accounts', (request) => create(store, request, check))
    .add('GET', '/v1/customer_profile/:id/bank_accounts', (request) => list(store, request));
}
