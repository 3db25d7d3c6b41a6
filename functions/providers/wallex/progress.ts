import { createHash } from 'node:crypto';
import { getItem, putItem } from '../../shared/dynamo';
import { requireEnv } from '../../shared/env';

/**
 * What an onboarding has done at Wallex so far, kept in the table so that a retried or re-run step
 * re-sends nothing Wallex already accepted. Wallex has no idempotency key, and its answers alone cannot
 * tell "uploaded" from "entry created, upload lost", so the adapter writes down each step as it lands.
 *
 * Ids, document type names, digests and times only: no personal data. One item per onboarding,
 * pk `WALLEX#PROGRESS#<onboardingId>`, sk `STATE`; one execution per onboarding runs at a time (the
 * execution is named after it), so a plain put after each step is enough.
 */
export interface WallexProgress {
  /** The Wallex user id, once a sign-up answered (or the user was found again). */
  userId?: string;
  /** Set just before the first sign-up is sent: a later attempt knows a user may exist without an answer. */
  signupStartedAt?: string;
  /** Per document type: the digest of the bytes last uploaded, and the Wallex document entry. */
  sent: Record<string, { digest: string; documentId: string }>;
  /** The digest of the document set the last screening was started with. */
  screenedWith?: string;
}

/** Where the adapter keeps its progress. */
export interface ProgressStore {
  read(onboardingId: string): Promise<WallexProgress>;
  write(onboardingId: string, progress: WallexProgress): Promise<void>;
}

/** A digest of a document's bytes: tells a re-upload of the same file from a new file. */
export const contentDigest = (body: Uint8Array) => createHash('sha256').update(body).digest('base64url');

/** A digest of the documents sent, by type: what a screening was started with. */
export function documentSetDigest(sent: WallexProgress['sent'], types: readonly string[]): string {
  const parts = [...types].sort().map((type) => `${type}=${sent[type]?.digest ?? ''}`);
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}

const key = (onboardingId: string) => ({ pk: `WALLEX#PROGRESS#${onboardingId}`, sk: 'STATE' });

/** The progress store in the table. */
export function dynamoProgressStore(): ProgressStore {
  return {
    async read(onboardingId) {
      const { Item } = await getItem({ TableName: requireEnv('TABLE_NAME'), Key: key(onboardingId), ConsistentRead: true });
      return {
        userId: typeof Item?.userId === 'string' ? Item.userId : undefined,
        signupStartedAt: typeof Item?.signupStartedAt === 'string' ? Item.signupStartedAt : undefined,
        sent: (Item?.sent as WallexProgress['sent'] | undefined) ?? {},
        screenedWith: typeof Item?.screenedWith === 'string' ? Item.screenedWith : undefined,
      };
    },
    async write(onboardingId, progress) {
      await putItem({
        TableName: requireEnv('TABLE_NAME'),
        Item: { ...key(onboardingId), ...progress, updatedAt: new Date().toISOString() },
      });
    },
  };
}

/** A progress store in memory (tests). */
export function memoryProgressStore(): ProgressStore {
  const items = new Map<string, WallexProgress>();
  return {
    async read(onboardingId) {
      return structuredClone(items.get(onboardingId) ?? { sent: {} });
    },
    async write(onboardingId, progress) {
      items.set(onboardingId, structuredClone(progress));
    },
  };
}
