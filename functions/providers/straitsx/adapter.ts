import { ProviderConflict, ProviderError, ProviderNotReady, ProviderRejected } from '../../shared/errors';
import { derivedKey } from '../../shared/ids';
import { rateGroup } from '../../store/rate-budget';
import type {
  AccountResult,
  DocumentAccess,
  DocumentSlot,
  OnboardingRequest,
  ProfileResult,
  ProviderAdapter,
  StepContext,
} from '../port';
import { addStraitsxBankAccount, BANK_ACCOUNT_PROOF_SLOT } from './bank-accounts';
import {
  type StraitsxProfileDocument,
  type StraitsxVirtualAccountDocument,
  sameCustomer,
  toAccountResult,
  toProfileBody,
  toProfileResult,
  toVirtualAccountBody,
} from './mappers';
import { type DocumentUrls, requiredDocuments, toPlusProviderBody } from './schema-plus';
import { type StraitsxTransport, straitsxTransport } from './transport';

export { type StraitsxTransport, straitsxSecretSchema } from './transport';

type StraitsxRequest = Extract<OnboardingRequest, { provider: 'straitsx' }>;

/** How long a document link given to StraitsX stays valid: it fetches them while it takes the profile. */
const DOCUMENT_URL_TTL_SECONDS = 1800;

const asStraitsx = (request: OnboardingRequest): StraitsxRequest => {
  if (request.provider !== 'straitsx') throw new Error(`request for ${request.provider} given to the StraitsX adapter`);
  return request;
};

/**
 * StraitsX: a customer profile is unique by registrationId + registrationType and has no idempotency
 * key, so the adapter looks the profile up before creating it and again after a duplicate error
 * (XFE16). A virtual account's referenceId is derived from the onboarding id: StraitsX answers a
 * repeat with the original account.
 */
export class StraitsxAdapter implements ProviderAdapter {
  readonly name = 'straitsx' as const;

  constructor(private readonly client: () => Promise<StraitsxTransport>) {}

  needsVirtualAccount(): boolean {
    return true;
  }

  requiredDocuments(request: OnboardingRequest): DocumentSlot[] {
    const straitsx = asStraitsx(request);
    return [
      ...(straitsx.profileType === 'CP+' ? requiredDocuments(straitsx.customer) : []),
      ...(straitsx.bankAccount ? [{ slot: BANK_ACCOUNT_PROOF_SLOT, required: true }] : []),
    ];
  }

  async addBankAccount({ request, profileId, documents }: StepContext & { profileId: string; documents: DocumentAccess }) {
    const { bankAccount } = asStraitsx(request);
    if (!bankAccount) throw new Error('the request has no bank account');
    const client = await this.client();
    // Look-up, then the create: paced as one group.
    return rateGroup(2, () => addStraitsxBankAccount(client, profileId, bankAccount, documents));
  }

  async updateProfile({
    profileId,
    changes,
  }: StepContext & { profileId: string; changes: Record<string, unknown> }): Promise<ProfileResult> {
    const client = await this.client();
    const doc = await client.request<StraitsxProfileDocument>(
      'PATCH',
      `/kyc/customer_profiles/${encodeURIComponent(profileId)}`,
      { body: changes },
    );
    return toProfileResult(doc, false);
  }

  /** Short-lived links StraitsX fetches the documents from (it takes documents by URL). */
  private async documentUrls(request: StraitsxRequest, documents: DocumentAccess): Promise<DocumentUrls> {
    const uploaded = new Set(documents.uploaded());
    const urls: Record<string, string> = {};
    if (request.profileType !== 'CP+') return urls;
    for (const { slot } of requiredDocuments(request.customer)) {
      if (uploaded.has(slot)) urls[slot] = await documents.url(slot, DOCUMENT_URL_TTL_SECONDS);
    }
    return urls;
  }

  async getProfileStatus({ profileId }: StepContext & { profileId: string }): Promise<ProfileResult> {
    const client = await this.client();
    const doc = await client.request<StraitsxProfileDocument>('GET', `/kyc/customer_profiles/${encodeURIComponent(profileId)}`);
    return toProfileResult(doc, false);
  }

  async getVirtualAccountStatus({ accountId }: StepContext & { profileId: string; accountId: string }): Promise<AccountResult> {
    const client = await this.client();
    const doc = await client.request<StraitsxVirtualAccountDocument>(
      'GET',
      `/payment_methods/virtual_bank_accounts/${encodeURIComponent(accountId)}`,
    );
    return toAccountResult(doc, false);
  }

  /**
   * The create, one request on its normal path. StraitsX answers a duplicate registration with XFE16 and
   * documents the look-up by filter[registration_id] as the way back to it, so the look-up is only the
   * error path (a retry after a lost answer, or a profile made elsewhere), admitted when it happens.
   */
  async createProfile({ request, documents }: StepContext & { documents: DocumentAccess }): Promise<ProfileResult> {
    const straitsx = asStraitsx(request);
    const client = await this.client();
    try {
      const body =
        straitsx.profileType === 'CP+'
          ? toPlusProviderBody(straitsx.customer, await this.documentUrls(straitsx, documents))
          : toProfileBody(straitsx.customer);
      const doc = await client.request<StraitsxProfileDocument>('POST', '/kyc/customer_profiles', { body });
      return toProfileResult(doc, true);
    } catch (error) {
      // A duplicate means an earlier attempt (or another system) created it: find it and carry on.
      if (!(error instanceof ProviderError) || error.code !== 'XFE16') throw error;
      const found = await this.findProfile(client, straitsx);
      if (found) return toProfileResult(found, false);
      throw new ProviderConflict({ provider: 'straitsx', code: 'XFE16', httpStatus: error.httpStatus, cause: error });
    }
  }

  async createVirtualAccount({ onboardingId, request, profileId }: StepContext & { profileId: string }): Promise<AccountResult> {
    const { virtualAccount } = asStraitsx(request);
    const client = await this.client();
    const referenceId = `onb-${derivedKey(onboardingId, 'straitsx-vba', 40)}-${virtualAccount.currency.toLowerCase()}`;
    try {
      const doc = await client.request<StraitsxVirtualAccountDocument>('POST', '/payment_methods/virtual_bank_accounts', {
        body: toVirtualAccountBody(referenceId, profileId, virtualAccount),
      });
      return toAccountResult(doc, true);
    } catch (error) {
      throw await notReadyOr(client, profileId, error);
    }
  }

  private async findProfile(client: StraitsxTransport, request: StraitsxRequest): Promise<StraitsxProfileDocument | undefined> {
    const list = await client.request<StraitsxProfileDocument[]>('GET', '/kyc/customer_profiles', {
      query: { 'filter[registration_id]': request.customer.registrationId.trim(), 'page[size]': '50' },
    });
    return (Array.isArray(list) ? list : []).find((doc) => doc?.data && sameCustomer(doc, request.customer));
  }
}

const NOT_VERIFIED = /not verified/i;

/**
 * STXE-4000 "Customer Profile Is Not Verified" after a verified callback: StraitsX announces the verdict
 * before its API shows it. The profile is read again to tell that lag (not verified there yet: wait and
 * retry) from a real refusal (rejected, or another STXE-4000 reason on a verified profile).
 */
async function notReadyOr(client: StraitsxTransport, profileId: string, error: unknown): Promise<unknown> {
  if (!(error instanceof ProviderRejected) || error.code !== 'STXE-4000') return error;
  const doc = await client.request<StraitsxProfileDocument>('GET', `/kyc/customer_profiles/${encodeURIComponent(profileId)}`);
  const status = doc?.data?.attributes?.verificationStatus;
  if (status === 'rejected') return error;
  if (status === 'verified' && !NOT_VERIFIED.test(error.providerMessage ?? '')) return error;
  return new ProviderNotReady({
    provider: error.provider,
    httpStatus: error.httpStatus,
    code: error.code,
    providerMessage: error.providerMessage,
    requestId: error.requestId,
    cause: error,
  });
}

/** The adapter wired to the deployed configuration: base URL and timeout from env, keys from the secret. */
export function straitsxAdapter(): StraitsxAdapter {
  return new StraitsxAdapter(straitsxTransport);
}
