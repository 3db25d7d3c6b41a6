import { randomUUID } from 'node:crypto';
import { entriesOf, refill, type SandboxState } from '../kit';
import { KYC_REQUIRED_FIELDS } from './lists';

/** What the Wallex sandbox keeps in memory: users with their details and documents, fundings and refunds. */

/** A user status; the sandbox uses the newer docs' words, and a new user starts `pending`. */
export type UserStatus =
  | 'pending'
  | 'pending_approval'
  | 'approved'
  | 'rejected'
  | 'document_needs_resubmission'
  | 'withdrawn'
  | 'terminated'
  | 'closed'
  | (string & {});

export interface StoredUser {
  id: string;
  accountId: string;
  email: string;
  firstName: string;
  lastName: string;
  language: string;
  countryCode: string;
  accountType: string;
  status: UserStatus;
  remarks?: string;
  /** User-detail fields as last set; null means removed. */
  detail: Record<string, string | null>;
  /** How many screenings were started. */
  screenings: number;
  seq: number;
}

export interface StoredDocument {
  id: string;
  userId: string;
  documentType: string;
  documentName: string;
  /** The bytes of the last upload, if any. */
  body?: Buffer;
  contentType?: string;
  /** The storage class header the last upload carried. */
  storageClass?: string;
  uploads: number;
  seq: number;
}

export type FundingStatus = 'pending' | 'completed' | 'failed' | (string & {});

export interface StoredFunding {
  id: string;
  balanceId: string;
  accountId: string;
  currency: string;
  amount: number;
  reference: string;
  status: FundingStatus;
  seq: number;
}

export interface StoredRefund {
  id: string;
  resource: string;
  resourceId: string;
  currency: string;
  amount: number;
  remarks: string;
  status: string;
}

/** Wallex ids on the page are UUIDs (users, documents) or 32 hex digits (accounts, fundings). */
export const hexId = () => randomUUID().replace(/-/g, '');

/** The detail fields still missing for screening: the required ones, and expiryDate for a passport. */
export function missingFields(detail: Record<string, string | null>): string[] {
  const empty = (name: string) => detail[name] === undefined || detail[name] === null || detail[name] === '';
  const missing: string[] = KYC_REQUIRED_FIELDS.filter(empty);
  if (detail.identificationType === 'passport' && empty('expiryDate')) missing.push('expiryDate');
  return missing;
}

/** The sandbox's state; every method is synchronous, so a check-then-insert cannot interleave. */
export class WallexStore {
  readonly users = new Map<string, StoredUser>();
  readonly documents = new Map<string, StoredDocument>();
  readonly fundings = new Map<string, StoredFunding>();
  readonly refunds = new Map<string, StoredRefund>();
  private seq = 0;

  /** The user with this e-mail (case-insensitive), if any. */
  findByEmail(email: string): StoredUser | undefined {
    const wanted = email.trim().toLowerCase();
    for (const user of this.users.values()) if (user.email.toLowerCase() === wanted) return user;
    return undefined;
  }

  addUser(fields: Omit<StoredUser, 'id' | 'accountId' | 'status' | 'detail' | 'screenings' | 'seq'>): StoredUser {
    const user: StoredUser = {
      ...fields,
      id: randomUUID(),
      accountId: hexId(),
      status: 'pending',
      detail: { firstName: fields.firstName, lastName: fields.lastName, countryCode: fields.countryCode },
      screenings: 0,
      seq: ++this.seq,
    };
    this.users.set(user.id, user);
    return user;
  }

  addDocument(userId: string, documentType: string, documentName: string): StoredDocument {
    const doc: StoredDocument = { id: randomUUID(), userId, documentType, documentName, uploads: 0, seq: ++this.seq };
    this.documents.set(doc.id, doc);
    return doc;
  }

  /** A user's documents, oldest first. */
  documentsOf(userId: string): StoredDocument[] {
    return [...this.documents.values()].filter((d) => d.userId === userId).sort((a, b) => a.seq - b.seq);
  }

  addFunding(fields: Partial<Omit<StoredFunding, 'id' | 'seq'>>): StoredFunding {
    const funding: StoredFunding = {
      id: hexId(),
      balanceId: fields.balanceId ?? hexId(),
      accountId: fields.accountId ?? hexId(),
      currency: fields.currency ?? 'SGD',
      amount: fields.amount ?? 100_000,
      reference:
        fields.reference ?? `${new Date().toISOString().slice(2, 10).replace(/-/g, '')}-${String(this.seq + 1).padStart(5, '0')}`,
      status: fields.status ?? 'pending',
      seq: ++this.seq,
    };
    this.fundings.set(funding.id, funding);
    return funding;
  }

  addRefund(fields: Partial<Omit<StoredRefund, 'id'>>): StoredRefund {
    const refund: StoredRefund = {
      id: hexId(),
      resource: fields.resource ?? 'simple_payment',
      resourceId: fields.resourceId ?? randomUUID(),
      currency: fields.currency ?? 'SGD',
      amount: fields.amount ?? 100_000,
      remarks: fields.remarks ?? 'refund remarks',
      status: fields.status ?? 'completed',
    };
    this.refunds.set(refund.id, refund);
    return refund;
  }

  /** Everything stored, for the state file; document bytes go to the state's blobs as they are uploaded. */
  snapshot() {
    const documents = [...this.documents.values()].map(({ body, ...doc }) => ({ ...doc, hasBody: body !== undefined }));
    return {
      users: entriesOf(this.users),
      documents,
      fundings: entriesOf(this.fundings),
      refunds: entriesOf(this.refunds),
      seq: this.seq,
    };
  }

  /** Takes back what `snapshot` gave, reading each document's bytes from the state's blobs. */
  restore(saved: ReturnType<WallexStore['snapshot']>, state: SandboxState): void {
    refill(this.users, saved.users);
    this.documents.clear();
    for (const { hasBody, ...doc } of saved.documents) {
      const body = hasBody ? state.getBlob(doc.id) : undefined;
      this.documents.set(doc.id, { ...doc, ...(body ? { body } : {}) });
    }
    refill(this.fundings, saved.fundings);
    refill(this.refunds, saved.refunds);
    this.seq = saved.seq;
  }

  reset(): void {
    this.users.clear();
    this.documents.clear();
    this.fundings.clear();
    this.refunds.clear();
  }
}
