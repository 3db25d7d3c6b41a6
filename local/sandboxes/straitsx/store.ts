import { randomUUID } from 'node:crypto';
import { entriesOf, refill } from '../kit';

/** What the StraitsX sandbox keeps in memory: customer profiles, their bank accounts and virtual bank accounts. */

export type VerificationStatus = 'pending' | 'verified' | 'rejected';

/** How a new profile's verificationStatus is decided: a fixed value or a function of what was submitted. */
export type VerificationMode = VerificationStatus | ((attributes: Readonly<Record<string, unknown>>) => VerificationStatus);

export interface StoredProfile {
  id: string;
  /** The fields as submitted (after validation). */
  attributes: Record<string, unknown>;
  verificationStatus: VerificationStatus;
  createdAt: string;
  updatedAt: string;
  /** Creation order, the tie-breaker when two profiles share a timestamp. */
  seq: number;
}

export type AccountStatus = 'enabled' | 'pending' | 'disabled';

export interface StoredAccount {
  id: string;
  referenceId: string;
  customerProfileId: string;
  currency: 'SGD' | 'USD';
  network: 'fast' | 'meps' | 'swift';
  bankShortCode: string;
  status: AccountStatus;
  accountNo: string;
  /** Whether the account carried over a Connect user's old number (the token itself is not kept). */
  migrated: boolean;
  /** The normalised request, so a repeat of the referenceId can be told apart from a different request. */
  fingerprint: string;
  createdAt: string;
}

/** A user of the legacy Connect flow, found by a hash of their user_api_token (the token is not kept). */
export interface StoredConnectUser {
  merchantRef: string;
  /** The user's existing virtual account number under Connect. */
  accountNo: string;
  phoneNo?: string;
  revoked: boolean;
  /** When set, a migration issues a fresh number instead of carrying this one over. */
  breakMigration: boolean;
}

/** StraitsX timestamps have whole seconds: `2023-07-07T18:11:29Z`. */
export const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export type BankAccountStatus = 'pending' | 'verified' | 'rejected';

/** A customer profile's own bank account, in the provider's snake_case fields plus its owner. */
export interface StoredBankAccount {
  id: number;
  customerProfileId: string;
  account_no: string;
  account_holder_name: string;
  bank_abbrev: string;
  swift_bic?: string;
  intermediary_swift_bic?: string;
  routing_code?: string;
  payment_reason?: string;
  /** The proof's file name, as the provider shows it. */
  bank_account_proof: string;
  disabled: boolean;
  verification_status: BankAccountStatus;
  updated_at: string;
}

/** One comparison for uniqueness and for `filter[registration_id]`, so a duplicate can always be found again. */
export const sameRegistrationId = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && a.trim().toUpperCase() === b.trim().toUpperCase();

/** The sandbox's state; every method is synchronous, so a check-then-insert cannot interleave. */
export class StraitsxStore {
  readonly profiles = new Map<string, StoredProfile>();
  readonly accounts = new Map<string, StoredAccount>();
  readonly accountsByReference = new Map<string, string>();
  readonly bankAccounts = new Map<number, StoredBankAccount>();
  /** Legacy Connect users by the SHA-256 of their user_api_token. */
  readonly connectUsers = new Map<string, StoredConnectUser>();
  verification: VerificationMode = 'verified';
  private seq = 0;
  private accountSeq = 0;
  private bankAccountSeq = 0;
  private connectSeq = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** The current time with milliseconds, as bank account records show it (`2025-01-17T06:26:06.659Z`). */
  nowMillis(): string {
    return this.clock().toISOString();
  }

  /** The current time in the provider's format. */
  now(): string {
    return isoSeconds(this.clock());
  }

  /** The profile with this registration type and id, if one exists. */
  findByRegistration(registrationType: unknown, registrationId: unknown): StoredProfile | undefined {
    for (const profile of this.profiles.values()) {
      const a = profile.attributes;
      if (a.registrationType === registrationType && sameRegistrationId(a.registrationId, registrationId)) return profile;
    }
    return undefined;
  }

  /** Stores a new profile with the given status, or one chosen by the verification mode. */
  addProfile(attributes: Record<string, unknown>, status?: VerificationStatus): StoredProfile {
    const mode = status ?? this.verification;
    const at = this.now();
    const profile: StoredProfile = {
      id: `customer_profile_${randomUUID()}`,
      attributes,
      verificationStatus: typeof mode === 'function' ? mode(attributes) : mode,
      createdAt: at,
      updatedAt: at,
      seq: ++this.seq,
    };
    this.profiles.set(profile.id, profile);
    return profile;
  }

  /** Stores a new account under its referenceId. */
  addAccount(account: Omit<StoredAccount, 'id' | 'accountNo' | 'createdAt'> & { accountNo?: string }): StoredAccount {
    const stored: StoredAccount = {
      ...account,
      id: `payment_method_${randomUUID()}`,
      // Ten digits, unique per sandbox and fixed for the account's life, like a real FAZZ number; a
      // migrated Connect user keeps their old one.
      accountNo: account.accountNo ?? String(8_800_000_000 + ++this.accountSeq * 7_919),
      createdAt: this.now(),
    };
    this.accounts.set(stored.id, stored);
    this.accountsByReference.set(stored.referenceId, stored.id);
    return stored;
  }

  /** Stores a new customer profile bank account under an integer id, as the provider numbers them. */
  addBankAccount(account: Omit<StoredBankAccount, 'id' | 'updated_at'>): StoredBankAccount {
    const stored: StoredBankAccount = { ...account, id: 26_500 + ++this.bankAccountSeq, updated_at: this.nowMillis() };
    this.bankAccounts.set(stored.id, stored);
    return stored;
  }

  /** A new legacy account number: eleven digits, unlike the ten of new accounts, so a carried-over one is easy to tell. */
  nextConnectAccountNo(): string {
    return String(71_000_000_000 + ++this.connectSeq * 6_133);
  }

  /** Everything stored, for the state file (a verification mode that is a function stays in memory). */
  snapshot() {
    return {
      profiles: entriesOf(this.profiles),
      accounts: entriesOf(this.accounts),
      bankAccounts: entriesOf(this.bankAccounts),
      connectUsers: entriesOf(this.connectUsers),
      verification: typeof this.verification === 'string' ? this.verification : undefined,
      seqs: { profile: this.seq, account: this.accountSeq, bankAccount: this.bankAccountSeq, connect: this.connectSeq },
    };
  }

  /** Takes back what `snapshot` gave. */
  restore(state: ReturnType<StraitsxStore['snapshot']>): void {
    refill(this.profiles, state.profiles);
    refill(this.accounts, state.accounts);
    refill(this.bankAccounts, state.bankAccounts);
    refill(this.connectUsers, state.connectUsers);
    this.accountsByReference.clear();
    for (const account of this.accounts.values()) this.accountsByReference.set(account.referenceId, account.id);
    if (state.verification) this.verification = state.verification;
    this.seq = state.seqs.profile;
    this.accountSeq = state.seqs.account;
    this.bankAccountSeq = state.seqs.bankAccount;
    this.connectSeq = state.seqs.connect;
  }

  /** Forgets everything and returns to verified-at-once profiles. */
  reset(): void {
    this.profiles.clear();
    this.accounts.clear();
    this.accountsByReference.clear();
    this.connectUsers.clear();
    this.bankAccounts.clear();
    this.verification = 'verified';
    this.connectSeq = 0;
  }
}
