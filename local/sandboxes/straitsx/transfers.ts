import { randomUUID } from 'node:crypto';
import type { StoredAccount, StoredProfile } from './store';

/**
 * The sandbox's mock bank transfer into a customer profile's virtual account. The payment is held
 * (`pending` with blocked_reasons) the way the provider documents its blocked codes: `NM-001` when the
 * sender's name differs from the profile's name (the reference tells testers to send a mismatching
 * `source_bank_account_holder_name` to see it), `CR-001` when the profile is flagged for compliance
 * review; otherwise the payment completes at once.
 */

export type PaymentStatus = 'pending' | 'completed' | 'refunded';

/** A payment as the sandbox keeps it: the paymentStatusUpdated payload, flat snake_case. */
export type PaymentDocument = Record<string, unknown> & {
  id: string;
  status: PaymentStatus;
  blocked_reasons: string[];
  customer_profile_id: string;
  updated_at: string;
};

export interface TransferRequest {
  accountNo: string;
  amount: string;
  currency: 'SGD' | 'USD';
  holderName: string;
  senderAccountNo: string;
  senderSwift: string;
  endToEndRef: string | null;
}

// The reference's rules for the simulation body.
const TEXT_255 = /^\s*.{1,255}\s*$/;
const AMOUNT = /^(?=.*[1-9])\d+(\.\d{1,2})?$/;
const SHORT_CODES: readonly unknown[] = ['FAZZ', 'SCB', 'DBS'];

const optionalText = (body: Record<string, unknown>, key: string): string | undefined | Error => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' && TEXT_255.test(value) ? value.trim() : new Error(`${key} must be 1 to 255 characters`);
};

/** Reads the flat simulation body; a string is the validation error. */
export function readTransferRequest(body: unknown): TransferRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Request body must be a JSON object';
  const b = body as Record<string, unknown>;
  for (const key of ['destination_bank_account_no', 'amount', 'source_bank_account_holder_name']) {
    if (b[key] === undefined || b[key] === null || b[key] === '') return `${key} is missing`;
  }
  const texts: Record<string, string | undefined> = {};
  for (const key of [
    'destination_bank_account_no',
    'source_bank_account_holder_name',
    'source_bank_swift_code',
    'source_bank_account_no',
    'end_to_end_ref',
  ]) {
    const value = optionalText(b, key);
    if (value instanceof Error) return value.message;
    texts[key] = value;
  }
  // Documented as a string; a JSON number is read the same way.
  const amount = typeof b.amount === 'number' ? String(b.amount) : b.amount;
  if (typeof amount !== 'string' || !AMOUNT.test(amount)) return 'amount must be a positive amount with at most 2 decimals';
  const currency = b.currency ?? 'SGD';
  if (currency !== 'SGD' && currency !== 'USD') return 'currency must be SGD or USD';
  if (b.destination_bank_short_code !== undefined && !SHORT_CODES.includes(b.destination_bank_short_code)) {
    return 'destination_bank_short_code must be FAZZ, SCB or DBS';
  }
  return {
    accountNo: texts.destination_bank_account_no as string,
    amount,
    currency,
    holderName: texts.source_bank_account_holder_name as string,
    senderAccountNo: texts.source_bank_account_no ?? '123456789',
    senderSwift: texts.source_bank_swift_code ?? 'DBSSSGSGXXX',
    endToEndRef: texts.end_to_end_ref ?? null,
  };
}

// Case, punctuation and spacing differ between bank records and profiles ("ACME PTE. LTD." / "Acme Pte Ltd").
const normalName = (name: string) =>
  name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

/** The names a sender may match: customerName, or first and last name of a full-KYC personal profile. */
function profileNames(profile: StoredProfile): string[] {
  const a = profile.attributes;
  const names: string[] = [];
  if (typeof a.customerName === 'string') names.push(a.customerName);
  if (typeof a.customerFirstName === 'string' && typeof a.customerLastName === 'string') {
    names.push(`${a.customerFirstName} ${a.customerLastName}`);
  }
  return names.map(normalName);
}

/** Why the payment is held, in the provider's blocked codes; empty when it completes. */
export function blockedReasons(profile: StoredProfile, holderName: string, complianceReview: boolean): string[] {
  const reasons: string[] = [];
  if (complianceReview) reasons.push('CR-001');
  if (!profileNames(profile).includes(normalName(holderName))) reasons.push('NM-001');
  return reasons;
}

/** Ruby-style decimal text, as the provider writes amounts: "100.0", "12.5". */
const decimal = (amount: string) => {
  const n = Number(amount);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
};

/** The payment document for a transfer into this account. */
export function paymentDocument(
  transfer: TransferRequest,
  account: StoredAccount,
  profile: StoredProfile,
  reasons: string[],
  at: string,
): PaymentDocument {
  const recipient = account.currency === 'SGD' ? 'Xfers Pte Ltd' : String(profile.attributes.customerName ?? '');
  return {
    id: `contract_${randomUUID().replace(/-/g, '')}`,
    type: 'Direct bank transfer',
    idempotency_id: randomUUID(),
    amount: decimal(transfer.amount),
    fees: '0.0',
    status: reasons.length > 0 ? 'pending' : 'completed',
    bank_account_no: account.accountNo,
    merchant_ref: account.referenceId,
    blocked_reasons: reasons,
    currency: `x${transfer.currency.toLowerCase()}`,
    end_to_end_ref: transfer.endToEndRef,
    transaction_remarks: null,
    payment_method: {
      id: account.id,
      reference_id: account.referenceId,
      account_no: account.accountNo,
      bank_short_code: account.bankShortCode,
      recipient_name: recipient,
    },
    sender_information: {
      account_holder_name: transfer.holderName,
      account_number: transfer.senderAccountNo,
      bank_short_code: null,
      bank_name: null,
      end_to_end_ref: transfer.endToEndRef,
      swift_bic: transfer.senderSwift,
      transaction_remarks: null,
    },
    sender_bank: null,
    sender_bank_account_no: transfer.senderAccountNo,
    sender_bank_account_holder_name: transfer.holderName,
    sender_bank_swift_bic: transfer.senderSwift,
    customer_profile_id: profile.id,
    created_at: at,
    updated_at: at,
  };
}
