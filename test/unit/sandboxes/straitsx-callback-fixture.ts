import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { StraitsxClient } from '../../../functions/providers/straitsx/client';
import {
  parseStraitsxCallback,
  type StraitsxCallbackEvent,
  verifyStraitsxSignature,
} from '../../../functions/providers/straitsx/webhook';
import type { ProviderError } from '../../../functions/shared/errors';
import { type StraitsxSandbox, startStraitsxSandbox, type WebhookEvent } from '../../../local/sandboxes/straitsx';

/** Shared by the StraitsX callback and simulation tests: a loopback receiver and a sandbox calling it. */

export const API_KEY = 'sandbox-app-key';

export interface Doc {
  data: { id: string; type?: string; attributes: Record<string, unknown> };
}

interface Received {
  event: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A callback receiver on loopback: one path per event, answering each path's scripted statuses, then 200. */
export async function startReceiver() {
  const received: Received[] = [];
  const script = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = (req.url ?? '').split('/').pop() ?? '';
      received.push({ event, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(script.get(event)?.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    script,
    urlFor: (event: string) => `${origin}/callbacks/${event}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The status and code of a request's failure, or undefined when it succeeded. */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: ProviderError) => [e.httpStatus, e.code],
  );

/** Starts a receiver and a sandbox for the enclosing describe block, both reset before each test. */
export function callbackFixture() {
  let sandbox: StraitsxSandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: StraitsxClient;

  beforeAll(async () => {
    receiver = await startReceiver();
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, callbackRetryMs: 10 });
    client = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await sandbox.stop();
    await receiver.stop();
  });
  beforeEach(() => {
    sandbox.reset();
    receiver.received.length = 0;
    receiver.script.clear();
  });

  return {
    sandbox: () => sandbox,
    receiver: () => receiver,
    client: () => client,

    /** Points the events at the receiver with PATCH /webhooks. */
    register: (...events: WebhookEvent[]) =>
      client.request<Doc>('PATCH', '/webhooks', {
        body: { data: { attributes: Object.fromEntries(events.map((e) => [e, receiver.urlFor(e)])) } },
      }),

    /** The callbacks of one event once every delivery has settled, each checked for its signature and parsed. */
    callbacksOf: async (event: StraitsxCallbackEvent) => {
      await sandbox.callbacksSettled();
      return receiver.received
        .filter((r) => r.event === event)
        .map((r) => {
          expect(verifyStraitsxSignature(r.raw, r.headers['xfers-signature'] as string, sandbox.callbackSecret)).toBe(true);
          expect(r.headers['content-type']).toBe('application/json');
          const body = JSON.parse(r.raw) as Doc & Record<string, unknown>;
          const parsed = parseStraitsxCallback(event, body);
          if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
          return { body, callback: parsed.callback };
        });
    },

    /** A basic personal profile, verified at create unless the verification mode says otherwise. */
    profile: (customerName = 'Jane Tan', registrationId = 'S1234567A') =>
      client.request<Doc>('POST', '/kyc/customer_profiles', {
        body: { registrationType: 'personal', customerName, registrationId },
      }),

    account: (profileId: string, currency: 'SGD' | 'USD', referenceId = `ref-${currency}`) =>
      client.request<Doc>('POST', '/payment_methods/virtual_bank_accounts', {
        body: {
          data: { attributes: { referenceId, currency }, relationships: { customerProfile: { data: { id: profileId } } } },
        },
      }),
  };
}
