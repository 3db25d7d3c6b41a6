import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OnboardingRequest } from '../../../functions/onboarding/request';
import type { DocumentAccess } from '../../../functions/providers/port';
import { createWallexAdapter, createWallexClient, type WallexConfig } from '../../../functions/providers/wallex/adapter';
import { resetAwsClients } from '../../../functions/shared/aws';
import { resetSecrets } from '../../../functions/shared/secrets';
import { type LocalDynamo, startLocalDynamo } from '../../../local/cloud/dynamodb';
import { startWallexSandbox, type WallexSandbox, type WallexSandboxOptions } from '../../../local/sandboxes/wallex';
import { PDF, wallexRequest } from './fixtures';

export const API_KEY = 'wallex-sandbox-api-key';
export const ACCESS_KEY_ID = '50afcbd2054d11e79317002618a72855';
export const SECRET_ACCESS_KEY = '6D741B8CAA9D224896288FADB8A9DEFD18313A5AD98314D0386660646E92C803';
export const HEADER_NAME = 'X-Webhook-Token';
export const HEADER_VALUE = 'whk_3a5d0c0e9f1b4c7e8d2a6b1c0f9e8d7c';

/** A notification as the receiver got it. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A webhook receiver on loopback that answers each POST with the next scripted status (default 200). */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  failNext: (...statuses: number[]) => void;
  stop: () => Promise<void>;
}> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/wallex`,
    received,
    failNext: (...s) => statuses.push(...s),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Documents held in memory, as the onboarding's bucket would serve them. */
export function memoryDocuments(files: Record<string, Uint8Array> = { passport: PDF }): DocumentAccess {
  return {
    uploaded: () => Object.keys(files),
    url: async () => 'http://unused.invalid/',
    read: async (slot) => {
      const body = files[slot];
      if (!body) throw new Error(`document ${slot} has not been received`);
      return { body, contentType: 'application/pdf' };
    },
  };
}

const ENV = ['TABLE_NAME', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/** A local table, a webhook receiver and a Wallex sandbox whose clock a test can move forward. */
export async function startHarness(options: Partial<WallexSandboxOptions> = {}) {
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  const tableName = 'wallex-sandbox-test';
  const dynamo: LocalDynamo = await startLocalDynamo({ tableName });
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  resetAwsClients();
  resetSecrets();
  const receiver = await startReceiver();
  const clock = { offsetMs: 0 };
  const sandbox: WallexSandbox = await startWallexSandbox({
    apiKey: API_KEY,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    ratePerSecond: 0,
    webhook: { url: receiver.url, headerName: HEADER_NAME, headerValue: HEADER_VALUE },
    notifications: { retryMs: 20 },
    // Long enough that a check right after the screening call still sees it undecided on a loaded machine.
    screeningDelayMs: 250,
    clock: () => Date.now() + clock.offsetMs,
    ...options,
  });

  const config = (overrides: Partial<WallexConfig> = {}): WallexConfig => ({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    timeoutMs: 2000,
    ratePerSecond: 100,
    dailyLimit: 432_000,
    ...overrides,
  });

  let seq = 0;
  /** A fresh onboarding: its own id and its own e-mail, so tests never share a Wallex user. */
  const onboarding = (overrides: Record<string, unknown> = {}) => {
    seq += 1;
    const id = `onb_${String.fromCharCode(97 + (seq % 26)).repeat(20)}${String(Date.now())
      .slice(-6)
      .replace(/[0-9]/g, (d) => 'abcdefghij'[+d]!)}`;
    const request = wallexRequest({
      email: `user${seq}.${Date.now()}@example.com`,
      ...overrides,
    }) as unknown as OnboardingRequest;
    return { onboardingId: id, request };
  };

  return {
    sandbox,
    receiver,
    clock,
    config,
    onboarding,
    adapter: (overrides: Partial<WallexConfig> = {}) => createWallexAdapter(config(overrides)),
    client: (overrides: Partial<WallexConfig> = {}) => createWallexClient(config(overrides)),
    stop: async () => {
      await Promise.allSettled([sandbox.stop(), receiver.stop(), dynamo.stop()]);
      for (const name of ENV) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      resetAwsClients();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Waits until a condition holds (polling), or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
