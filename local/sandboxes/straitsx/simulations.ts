import { type DurableSchedule, entriesOf, type Reply, type Router, refill, type SandboxRequest } from '../kit';
import { accountDocument, setAccountStatus } from './accounts';
import { bankAccountDocument, setBankAccountStatus } from './bank-accounts';
import type { CallbackSender } from './callbacks';
import { profileDocument } from './profiles';
import { errorList, invalid, notFound, ok } from './replies';
import { readRfiRequest, rfiDocument, type StoredRfi } from './rfis';
import type { AccountStatus, StoredAccount, StoredProfile, StraitsxStore, VerificationStatus } from './store';
import { blockedReasons, type PaymentDocument, type PaymentStatus, paymentDocument, readTransferRequest } from './transfers';

/**
 * The provider's sandbox-only endpoints under `/v1/sandbox`: each changes state the way the live system
 * would and sends the callback the live system sends, with the documented payload.
 */

/** Test controls for the simulations that have no endpoint of their own. */
export interface SandboxSimulationControls {
  /** Marks a profile as under compliance review: its incoming transfers are held with CR-001. */
  flagForComplianceReview(profileId: string, flagged?: boolean): boolean;
  /**
   * From now on, a profile's new verificationStatus reaches the API this long after its
   * cpVerificationStatusUpdated callback was sent (0: at once). Meanwhile GET shows the old status and a
   * virtual account create answers what the error reference documents for an unverified profile: 422
   * STXE-4000 "Customer Profile Is Not Verified". Callbacks come from a separate delivery system (sent,
   * retried and resent on their own), so nothing promises they trail the API; this shows the case where
   * one runs ahead.
   */
  setVerificationLag(ms: number): void;
}

export interface SandboxSimulationOptions {
  /** See `setVerificationLag`. Default 0. */
  verificationLagMs?: number;
}

/** The scheduled task that shows a verdict at the API once its lag is over. */
const SHOW_STATUS = 'straitsx.profile-status';

interface ShowStatus {
  id: string;
  status: VerificationStatus;
  rejection: RejectionDetails;
}

/** What a rejection may carry; the provider's callback has these fields, its sandbox endpoint does not. */
export interface RejectionDetails {
  isRetryable?: boolean;
  verificationRejectionSummary?: string;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const attributesOf = (body: unknown) => record(record(record(body)?.data)?.attributes);

/** Simulation state beside the store (RFIs, payments, review flags) and the state changes that call back. */
export class SandboxSimulations {
  private readonly rfis = new Map<string, StoredRfi>();
  private readonly payments = new Map<string, PaymentDocument>();
  private readonly review = new Set<string>();
  private lagMs: number;
  private readonly defaultLagMs: number;

  constructor(
    private readonly store: StraitsxStore,
    private readonly callbacks: CallbackSender,
    private readonly schedule: DurableSchedule,
    private readonly clock: () => Date = () => new Date(),
    options: SandboxSimulationOptions = {},
  ) {
    this.defaultLagMs = Math.max(0, options.verificationLagMs ?? 0);
    this.lagMs = this.defaultLagMs;
    schedule.on<ShowStatus>(SHOW_STATUS, ({ id, status, rejection }) => {
      const profile = this.store.profiles.get(id);
      if (profile) this.applyStatus(profile, status, rejection);
    });
  }

  /**
   * Sets a profile's verificationStatus and sends cpVerificationStatusUpdated; undefined if unknown.
   * The callback leaves at once; with a verification lag the API shows the change only later, as when
   * the provider's notification runs ahead of the record its API reads.
   */
  setProfileStatus(id: string, status: VerificationStatus, rejection: RejectionDetails = {}): StoredProfile | undefined {
    const profile = this.store.profiles.get(id);
    if (!profile) return undefined;
    if (this.lagMs <= 0) {
      this.applyStatus(profile, status, rejection);
      this.callbacks.emit('cpVerificationStatusUpdated', profileDocument(profile));
      return profile;
    }
    const announced = this.applyStatus(structuredClone(profile), status, rejection);
    this.callbacks.emit('cpVerificationStatusUpdated', profileDocument(announced));
    this.schedule.after(SHOW_STATUS, { id, status, rejection } satisfies ShowStatus, this.lagMs);
    return announced;
  }

  private applyStatus(profile: StoredProfile, status: VerificationStatus, rejection: RejectionDetails): StoredProfile {
    profile.verificationStatus = status;
    profile.updatedAt = this.store.now();
    // Kept with the profile's fields, so a later GET shows them as the callback did.
    delete profile.attributes.isRetryable;
    delete profile.attributes.verificationRejectionSummary;
    if (status === 'rejected') {
      if (rejection.isRetryable !== undefined) profile.attributes.isRetryable = rejection.isRetryable;
      if (rejection.verificationRejectionSummary !== undefined) {
        profile.attributes.verificationRejectionSummary = rejection.verificationRejectionSummary;
      }
    }
    return profile;
  }

  /** Enables or disables an account and sends virtualAccountStatusUpdated; undefined if unknown. */
  setAccountStatus(id: string, status: AccountStatus): StoredAccount | undefined {
    if (!setAccountStatus(this.store, id, status)) return undefined;
    const account = this.store.accounts.get(id) as StoredAccount;
    const { instructions } = accountDocument(account, this.store).data.attributes;
    this.callbacks.emit('virtualAccountStatusUpdated', {
      data: {
        id: account.id,
        type: 'virtual_bank_account',
        attributes: {
          referenceId: account.referenceId,
          currency: account.currency,
          status: account.status,
          ...(account.status === 'enabled' && instructions ? { instructions } : {}),
          createdAt: account.createdAt,
        },
      },
    });
    return account;
  }

  controls(): SandboxSimulationControls {
    return {
      flagForComplianceReview: (profileId, flagged = true) => {
        if (!this.store.profiles.has(profileId)) return false;
        if (flagged) this.review.add(profileId);
        else this.review.delete(profileId);
        return true;
      },
      setVerificationLag: (ms) => {
        this.lagMs = Math.max(0, ms);
      },
    };
  }

  /** RFIs, payments and review flags, for the state file. */
  snapshot() {
    return { rfis: entriesOf(this.rfis), payments: entriesOf(this.payments), review: [...this.review] };
  }

  /** Takes back what `snapshot` gave (dates come back from their JSON strings). */
  restore(state: ReturnType<SandboxSimulations['snapshot']>): void {
    refill(this.rfis, state.rfis);
    for (const rfi of this.rfis.values()) {
      rfi.createdAt = new Date(rfi.createdAt);
      rfi.expiresAt = new Date(rfi.expiresAt);
    }
    refill(this.payments, state.payments);
    this.review.clear();
    for (const id of state.review) this.review.add(id);
  }

  reset(): void {
    this.rfis.clear();
    this.payments.clear();
    this.review.clear();
    this.schedule.cancel();
    this.lagMs = this.defaultLagMs;
  }

  verifyProfile(request: SandboxRequest): Reply {
    const a = attributesOf(request.body);
    const status = a?.verificationStatus;
    if (status !== 'verified' && status !== 'rejected') return invalid('verificationStatus must be verified or rejected');
    // isRetryable and verificationRejectionSummary are this sandbox's extension, so tests can produce the
    // rejection callbacks the provider documents; the provider's endpoint takes verificationStatus only.
    if (a?.isRetryable !== undefined && typeof a.isRetryable !== 'boolean') return invalid('isRetryable must be true or false');
    const summary = a?.verificationRejectionSummary;
    if (summary !== undefined && (typeof summary !== 'string' || summary.length > 255)) {
      return invalid('verificationRejectionSummary must be a string of at most 255 characters');
    }
    const profile = this.setProfileStatus(request.params.id ?? '', status, {
      isRetryable: a?.isRetryable as boolean | undefined,
      verificationRejectionSummary: summary as string | undefined,
    });
    return profile ? ok(profileDocument(profile)) : notFound('Customer profile');
  }

  setVirtualAccount(request: SandboxRequest): Reply {
    const status = record(request.body)?.status;
    if (status !== 'enabled' && status !== 'disabled') return invalid('status must be enabled or disabled');
    const owned = this.ownedAccount(request);
    if ('reply' in owned) return owned.reply;
    const account = this.setAccountStatus(owned.account.id, status) as StoredAccount;
    return ok(accountDocument(account, this.store));
  }

  simulateTransfer(request: SandboxRequest): Reply {
    const profile = this.store.profiles.get(request.params.id ?? '');
    if (!profile) return notFound('Customer profile');
    const transfer = readTransferRequest(request.body);
    if (typeof transfer === 'string') return invalid(transfer);
    const account = [...this.store.accounts.values()].find(
      (a) => a.customerProfileId === profile.id && a.accountNo === transfer.accountNo,
    );
    if (!account) return notFound('Virtual bank account');
    if (account.currency !== transfer.currency) return invalid('currency does not match the virtual bank account');
    if (account.status !== 'enabled') return errorList(422, 'STXE-4000', 'Resource Object Not Verified');
    const reasons = blockedReasons(profile, transfer.holderName, this.review.has(profile.id));
    const payment = paymentDocument(transfer, account, profile, reasons, this.store.now());
    this.payments.set(payment.id, payment);
    this.callbacks.emit('paymentStatusUpdated', payment);
    return ok(payment);
  }

  setPaymentStatus(request: SandboxRequest): Reply {
    const status = attributesOf(request.body)?.status;
    if (status !== 'pending' && status !== 'completed' && status !== 'refunded') {
      return invalid('status must be completed, refunded or pending');
    }
    const payment = this.payments.get(request.params.contractId ?? '');
    if (!payment || payment.customer_profile_id !== request.params.id) return notFound('Payment');
    payment.status = status as PaymentStatus;
    // A released payment is no longer held.
    if (status !== 'pending') payment.blocked_reasons = [];
    payment.updated_at = this.store.now();
    this.callbacks.emit('paymentStatusUpdated', payment);
    return ok(payment);
  }

  /** The status comes in the query (`?verification_status=`), with no body; the answer is `{"success":true}`. */
  setBankAccount(request: SandboxRequest): Reply {
    const status = request.query.verification_status;
    if (status !== 'verified' && status !== 'rejected') return invalid('verification_status must be verified or rejected');
    const profileId = request.params.id ?? '';
    if (!this.store.profiles.has(profileId)) return notFound('Customer profile');
    const id = request.params.bankAccountId ?? '';
    const account = /^\d{1,15}$/.test(id) ? setBankAccountStatus(this.store, profileId, Number(id), status) : undefined;
    if (!account) return notFound('Customer profile bank account');
    this.callbacks.emit('cpbaVerificationStatusUpdated', bankAccountDocument(account));
    return ok({ success: true });
  }

  createRfi(request: SandboxRequest): Reply {
    const profile = this.store.profiles.get(request.params.id ?? '');
    if (!profile) return notFound('Customer profile');
    const rfi = readRfiRequest(request.body, profile.id, this.clock());
    if (typeof rfi === 'string') return invalid(rfi);
    this.rfis.set(rfi.id, rfi);
    return this.announceRfi(rfi);
  }

  transitionRfi(request: SandboxRequest): Reply {
    if (attributesOf(request.body)?.status !== 'completed') return invalid('status must be completed');
    const rfi = this.rfis.get(request.params.rfiId ?? '');
    if (!rfi || rfi.profileId !== request.params.id) return notFound('RFI request');
    rfi.status = 'completed';
    return this.announceRfi(rfi);
  }

  private announceRfi(rfi: StoredRfi): Reply {
    const doc = rfiDocument(rfi, this.clock());
    this.callbacks.emit('cpRfiStatusUpdated', doc);
    return ok(doc);
  }

  // The account named in the path, if it exists and belongs to the profile in the path; else the 404.
  private ownedAccount(request: SandboxRequest): { account: StoredAccount } | { reply: Reply } {
    if (!this.store.profiles.has(request.params.id ?? '')) return { reply: notFound('Customer profile') };
    const account = this.store.accounts.get(request.params.vbaId ?? '');
    if (!account || account.customerProfileId !== request.params.id) return { reply: notFound('Virtual bank account') };
    return { account };
  }
}

/** Adds the sandbox-only simulation endpoints under `/v1/sandbox`. */
export function addSimulationRoutes(router: Router, sim: SandboxSimulations): void {
  const cp = '/v1/sandbox/customer_profile/:id';
  router
    .add('PUT', '/v1/sandbox/kyc/customer_profiles/:id', (r) => sim.verifyProfile(r))
    .add('PUT', `${cp}/virtual_bank_accounts/:vbaId`, (r) => sim.setVirtualAccount(r))
    .add('POST', `${cp}/bank_transfer_simulations`, (r) => sim.simulateTransfer(r))
    .add('PUT', `${cp}/payments/:contractId`, (r) => sim.setPaymentStatus(r))
    .add('PUT', `${cp}/bank_accounts/:bankAccountId`, (r) => sim.setBankAccount(r))
    .add('POST', `${cp}/rfi-requests`, (r) => sim.createRfi(r))
    .add('PUT', `${cp}/rfi-requests/:rfiId/transition`, (r) => sim.transitionRfi(r));
}
