import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { conditionFailed, getItem, putItem, updateItem } from '../shared/dynamo';
import { requireEnv } from '../shared/env';

/**
 * A provider's access token shared by every function through the table, so that a fleet of Lambdas
 * logs in once per token lifetime instead of once per cold start (Wallex: one 8-hour token, and every
 * login spends the same 5 requests/second budget as real work).
 *
 * The item: pk `TOKEN#<provider>`, sk `CURRENT`, `token`, `expiresAt` (epoch seconds, also the table's
 * TTL attribute), `fetchedAt` (epoch ms, the version every write is conditional on), and a short refresh
 * lease (`leaseId`, `leaseUntil`) so that of a burst of callers that all find the token stale, one logs
 * in and the others wait for its token (or keep using the old one while it is still valid).
 *
 * The token is a credential, not personal data. The table is KMS-encrypted at rest; on top of that the
 * token is stored sealed (AES-256-GCM under a key derived from the provider's own secret) when a sealer
 * is given, so reading the table alone does not yield a usable token. It is never logged, and never put
 * in an error message.
 */

/** A token as the provider issued it, with the lifetime the provider documents. */
export interface IssuedToken {
  token: string;
  ttlSeconds: number;
}

/** Where a client gets its token: `get` logs in (through `issue`) only when no usable token is known. */
export interface TokenStore {
  get(issue: () => Promise<IssuedToken>): Promise<string>;
  /** Forgets this token (the provider refused it), unless another caller has replaced it already. */
  invalidate(token: string): Promise<void>;
}

/** Encrypts the token for the table and back; `open` answers undefined for anything it cannot read. */
export interface TokenSealer {
  seal(token: string): string;
  open(sealed: string): string | undefined;
}

export interface TokenCacheOptions {
  sealer?: TokenSealer;
  /** A token with less life left than this is refreshed. Default 600 (10 minutes). */
  minRemainingSeconds?: number;
  /** How long a refresh lease holds other callers off. Default 10 s (longer than a login takes). */
  leaseMs?: number;
  /** How long a caller waits for another's refresh before it logs in by itself. Default 5 s. */
  maxWaitMs?: number;
  now?: () => number;
}

interface TokenItem {
  token?: string;
  expiresAt?: number;
  fetchedAt?: number;
  leaseId?: string;
  leaseUntil?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A stale-but-unexpired token is still used while another caller refreshes, if it has this much life left.
const STILL_USABLE_MS = 30_000;

/** AES-256-GCM with a key derived (HKDF-SHA256) from the provider's secret; the item key is bound as AAD. */
export function tokenSealer(keyMaterial: string, provider: string): TokenSealer {
  const key = Buffer.from(hkdfSync('sha256', keyMaterial, Buffer.alloc(0), `token-cache:${provider}`, 32));
  const aad = Buffer.from(`TOKEN#${provider}`);
  return {
    seal(token) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1.')) return undefined;
      try {
        const raw = Buffer.from(sealed.slice(3), 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(aad);
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        // Sealed under another key (the secret was rotated): as good as no token.
        return undefined;
      }
    },
  };
}

/** The token cache in the table, for one provider. */
export function dynamoTokenStore(provider: string, options: TokenCacheOptions = {}): TokenStore {
  const key = { pk: `TOKEN#${provider}`, sk: 'CURRENT' };
  const now = options.now ?? Date.now;
  const minRemainingMs = (options.minRemainingSeconds ?? 600) * 1000;
  const leaseMs = options.leaseMs ?? 10_000;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  const seal = (token: string) => (options.sealer ? options.sealer.seal(token) : token);
  const open = (item: TokenItem | undefined) =>
    typeof item?.token === 'string' ? (options.sealer ? options.sealer.open(item.token) : item.token) : undefined;
  const lifeLeft = (item: TokenItem | undefined) => (item?.expiresAt ?? 0) * 1000 - now();

  const read = async (): Promise<TokenItem | undefined> => {
    const { Item } = await getItem({ TableName: requireEnv('TABLE_NAME'), Key: key, ConsistentRead: true });
    return Item as TokenItem | undefined;
  };

  /** Takes the refresh lease if nobody holds it and nobody refreshed since `seen`. */
  const claim = async (seen: TokenItem | undefined): Promise<string | undefined> => {
    const leaseId = randomUUID();
    try {
      await updateItem({
        TableName: requireEnv('TABLE_NAME'),
        Key: key,
        UpdateExpression: 'SET leaseId = :lease, leaseUntil = :until',
        ConditionExpression:
          '(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (attribute_not_exists(fetchedAt) OR fetchedAt = :seen)',
        ExpressionAttributeValues: {
          ':lease': leaseId,
          ':until': now() + leaseMs,
          ':now': now(),
          ':seen': seen?.fetchedAt ?? -1,
        },
      });
      return leaseId;
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  };

  /** Stores a fresh token if the lease is still ours; a lost lease just means the token is not shared. */
  const store = async (leaseId: string, issued: IssuedToken): Promise<void> => {
    const at = now();
    try {
      await putItem({
        TableName: requireEnv('TABLE_NAME'),
        Item: { ...key, token: seal(issued.token), expiresAt: Math.floor(at / 1000) + issued.ttlSeconds, fetchedAt: at },
        ConditionExpression: 'leaseId = :lease',
        ExpressionAttributeValues: { ':lease': leaseId },
      });
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
  };

  const release = async (leaseId: string): Promise<void> => {
    try {
      await updateItem({
        TableName: requireEnv('TABLE_NAME'),
        Key: key,
        UpdateExpression: 'REMOVE leaseId, leaseUntil',
        ConditionExpression: 'leaseId = :lease',
        ExpressionAttributeValues: { ':lease': leaseId },
      });
    } catch {
      // Best effort: the lease runs out by itself.
    }
  };

  return {
    async get(issue) {
      const deadline = now() + maxWaitMs;
      for (;;) {
        const item = await read();
        const token = open(item);
        if (token && lifeLeft(item) > minRemainingMs) return token;
        const leaseId = await claim(item);
        if (leaseId) {
          let issued: IssuedToken;
          try {
            issued = await issue();
          } catch (error) {
            await release(leaseId);
            throw error;
          }
          await store(leaseId, issued);
          return issued.token;
        }
        // Another caller is refreshing: its old token is fine meanwhile, if it has some life left.
        if (token && lifeLeft(item) > STILL_USABLE_MS) return token;
        if (now() > deadline) return (await issue()).token;
        await sleep(40 + Math.random() * 80);
      }
    },

    async invalidate(token) {
      const item = await read();
      if (!item || open(item) !== token) return;
      try {
        // Expired rather than deleted: the item keeps its version and any lease, so writers stay ordered.
        await updateItem({
          TableName: requireEnv('TABLE_NAME'),
          Key: key,
          UpdateExpression: 'SET expiresAt = :zero',
          ConditionExpression: 'fetchedAt = :seen',
          ExpressionAttributeValues: { ':zero': 0, ':seen': item.fetchedAt ?? -1 },
        });
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    },
  };
}

/** A token store for one process (tests, scripts): concurrent callers share one login. */
export function memoryTokenStore(options: Pick<TokenCacheOptions, 'minRemainingSeconds' | 'now'> = {}): TokenStore {
  const now = options.now ?? Date.now;
  const minRemainingMs = (options.minRemainingSeconds ?? 600) * 1000;
  let current: { token: string; expiresAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return {
    async get(issue) {
      if (current && current.expiresAtMs - now() > minRemainingMs) return current.token;
      inFlight ??= issue()
        .then((issued) => {
          current = { token: issued.token, expiresAtMs: now() + issued.ttlSeconds * 1000 };
          return issued.token;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    async invalidate(token) {
      if (current?.token === token) current = undefined;
    },
  };
}
