import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxFetch } from './sandboxes/merchant-fetch';
import { CONNECT_USERS_PATH } from './sandboxes/straitsx/connect';

/**
 * What `onboard sandbox ...` does against the StraitsX sandbox of a running `npm start`: found through
 * the stack's `<data>/runtime.json` (or the default port when the stack has not written it), with the
 * sandbox API key from `<data>/secrets.json`.
 */

export interface SandboxTarget {
  /** The StraitsX sandbox's base URL, `/v1` included. */
  baseUrl: string;
  apiKey: string;
}

/** Finds the StraitsX sandbox of the stack whose data folder is `dataDir`. */
export function straitsxSandboxOf(dataDir: string, defaultPort: number): SandboxTarget {
  const secretsFile = join(dataDir, 'secrets.json');
  if (!existsSync(secretsFile)) throw new Error(`${secretsFile} not found: start the stack with npm start (or pass --data)`);
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as { straitsx?: { apiKey?: string } };
  const apiKey = secrets.straitsx?.apiKey;
  if (!apiKey) throw new Error(`${secretsFile} has no StraitsX API key`);
  const runtimeFile = join(dataDir, 'runtime.json');
  const env = existsSync(runtimeFile) ? (JSON.parse(readFileSync(runtimeFile, 'utf8')) as Record<string, string>) : {};
  return { baseUrl: env.STRAITSX_BASE_URL ?? `http://127.0.0.1:${defaultPort}/v1`, apiKey };
}

/** A Connect user as the sandbox made it: the token to migrate with, shown once. */
export interface ConnectUser {
  userApiToken: string;
  merchantRef: string;
  accountNo: string;
}

async function post(target: SandboxTarget, path: string, attributes: Record<string, unknown>): Promise<unknown> {
  let res: Response;
  try {
    res = await sandboxFetch(`${target.baseUrl.replace(/\/v1$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': target.apiKey },
      body: JSON.stringify({ data: { attributes } }),
    });
  } catch {
    throw new Error(`the StraitsX sandbox at ${target.baseUrl} does not answer: is npm start running?`);
  }
  const body = (await res.json().catch(() => undefined)) as
    | { data?: { attributes?: unknown }; errors?: Array<{ error?: string }> }
    | undefined;
  if (!res.ok) throw new Error(`StraitsX sandbox: HTTP ${res.status} ${body?.errors?.[0]?.error ?? ''}`.trim());
  return body?.data?.attributes;
}

/** Creates a legacy Connect user with an existing virtual account at the sandbox. */
export async function createConnectUser(
  target: SandboxTarget,
  seed: { merchantRef?: string; accountNo?: string } = {},
): Promise<ConnectUser> {
  const attributes = Object.fromEntries(Object.entries(seed).filter(([, v]) => v !== undefined));
  return (await post(target, CONNECT_USERS_PATH, attributes)) as ConnectUser;
}

/** Revokes a Connect user's token at the sandbox, as the user can. */
export async function revokeConnectUser(target: SandboxTarget, userApiToken: string): Promise<void> {
  await post(target, `${CONNECT_USERS_PATH}/revoke`, { userApiToken });
}
