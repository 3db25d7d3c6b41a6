import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { OnboardingRequest } from '../../../functions/onboarding/request';
import { StraddleAdapter, type StraddleTransport, throttledStraddle } from '../../../functions/providers/straddle/adapter';
import { StraddleClient } from '../../../functions/providers/straddle/client';
import { StraddleCustomerOperations } from '../../../functions/providers/straddle/operator';
import { straddleRequestSchema } from '../../../functions/providers/straddle/request';
import { resetAwsClients } from '../../../functions/shared/aws';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/cloud/constants';
import { type LocalDynamo, startLocalDynamo } from '../../../local/cloud/dynamodb';
import { type StraddleSandbox, type StraddleSandboxOptions, startStraddleSandbox } from '../../../local/sandboxes/straddle';

/** Shared set-up of the Straddle sandbox tests: dynalite for the rate budget, the sandbox, a webhook receiver. */

export const API_KEY = 'sk_test_straddle_sandbox_key';
export const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** One webhook delivery as the receiver got it. */
export interface Received {
  raw: string;
  headers: IncomingHttpHeaders;
}

/** A webhook endpoint on loopback that records raw bodies and answers scripted statuses (then 200). */
export async function startReceiver() {
  const received: Received[] = [];
  const script: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      const status = script.shift() ?? 200;
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:9/elsewhere' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/straddle`,
    received,
    script,
    reset: () => {
      received.length = 0;
      script.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A valid customer in Straddle's field names, with an email unique to the label. */
export const customerFor = (label: string, overrides: Record<string, unknown> = {}) => ({
  type: 'individual',
  name: `Leslie ${label}`,
  email: `leslie.${label}@pawnee.example`,
  phone: '+13175550123',
  device: { ip_address: '192.168.1.20' },
  address: { address1: '100 State St', city: 'Pawnee', state: 'IN', zip: '46001' },
  compliance_profile: { dob: '1975-01-18', ssn: '123-45-6789' },
  ...overrides,
});

/** An onboarding request for the adapter. */
export const requestFor = (customer: Record<string, unknown>) =>
  straddleRequestSchema.parse({ provider: 'straddle', merchantRef: 'ref-1', customer }) as unknown as OnboardingRequest;

/** Registers the hooks and hands out the running pieces. */
export function straddleFixture(extra: Partial<StraddleSandboxOptions> = {}) {
  let dynamo: LocalDynamo;
  let sandbox: StraddleSandbox;
  let receiver: Receiver;
  let client: StraddleClient;
  let transport: StraddleTransport;
  const saved = { ...process.env };

  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: 'straddle-sandbox-test' });
    Object.assign(process.env, {
      TABLE_NAME: 'straddle-sandbox-test',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    resetAwsClients();
    receiver = await startReceiver();
    sandbox = await startStraddleSandbox({
      apiKey: API_KEY,
      webhook: { url: receiver.url, secret: WEBHOOK_SECRET, retryDelaysMs: [0, 20, 40, 60] },
      backgroundDelayMs: 30,
      ...extra,
    });
    client = new StraddleClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
    // A generous budget: every request still takes its token from the table, without slowing the suite.
    transport = throttledStraddle(client, 500);
  });
  afterAll(async () => {
    await sandbox?.stop();
    await receiver?.stop();
    await dynamo?.stop();
    process.env = saved;
    resetAwsClients();
  });
  beforeEach(async () => {
    sandbox.reset();
    await sandbox.webhooksSettled();
    receiver.reset();
  });

  return {
    sandbox: () => sandbox,
    receiver: () => receiver,
    client: () => client,
    adapter: () => new StraddleAdapter(async () => transport),
    operations: () => new StraddleCustomerOperations(async () => transport),
  };
}
