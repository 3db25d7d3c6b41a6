import { ProviderError } from '../../shared/errors';
import type { DocumentAccess } from '../port';
import { type BankAccountRequest, toBankAccountProviderBody } from './schema-bank-account';
import type { StraitsxTransport } from './transport';

/** The document slot of the bank account's proof. */
export const BANK_ACCOUNT_PROOF_SLOT = 'bankAccountProof';

interface StraitsxBankAccount {
  id: number;
  account_no: string;
  verification_status?: string;
}

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/**
 * Adds the customer's bank account to a profile, or finds the one an earlier attempt added (no
 * idempotency key: looked up by account number before and after a duplicate error). The proof goes as
 * base64 `fileData`: StraitsX refuses proof links that carry a query string, as presigned links do.
 */
export async function addStraitsxBankAccount(
  client: StraitsxTransport,
  profileId: string,
  account: BankAccountRequest,
  documents: DocumentAccess,
): Promise<{ id: string; status: string; created: boolean }> {
  const path = `/customer_profile/${encodeURIComponent(profileId)}/bank_accounts`;
  const find = async () => {
    const list = await client.request<StraitsxBankAccount[]>('GET', path);
    const wanted = account.account_no.toUpperCase();
    return (Array.isArray(list) ? list : []).find((a) => String(a.account_no).toUpperCase() === wanted);
  };
  const result = (found: StraitsxBankAccount, created: boolean) => ({
    id: String(found.id),
    status: found.verification_status ?? 'pending',
    created,
  });

  const existing = await find();
  if (existing) return result(existing, false);
  const { body, contentType } = await documents.read(BANK_ACCOUNT_PROOF_SLOT);
  const proof = {
    fileData: `data:${contentType};base64,${Buffer.from(body).toString('base64')}`,
    fileName: `bank-account-proof.${EXTENSIONS[contentType] ?? 'pdf'}`,
  };
  try {
    const answer = await client.request<StraitsxBankAccount[] | StraitsxBankAccount>('POST', path, {
      body: toBankAccountProviderBody(account, proof),
    });
    const created = Array.isArray(answer) ? answer[0] : answer;
    if (created) return result(created, true);
  } catch (error) {
    if (!(error instanceof ProviderError) || error.code !== 'XFE16') throw error;
  }
  const found = await find();
  if (!found) throw new Error('the bank account was neither created nor found');
  return result(found, false);
}
