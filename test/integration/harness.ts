import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BUCKET_NAME, type Runtime, TABLE_NAME } from '../../local/runtime';

/** Calls the embedded stack's API and parses the JSON answer. */
export async function api(runtime: Runtime, method: string, path: string, body?: unknown) {
  const res = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/**
 * `api`, as a merchant's client calls a route that reaches a provider: a 503 the provider's rate budget
 * answered (it never waits inside the function) is tried again after its Retry-After, a few times.
 */
export async function apiRetryingBudget(runtime: Runtime, method: string, path: string, body?: unknown) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${runtime.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = { status: res.status, body: (await res.json()) as Record<string, any> };
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status !== 503 || !(retryAfter > 0) || attempt >= 5) return answer;
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
  }
}

/** The answer of GET /onboardings/{id}. */
export async function view(runtime: Runtime, onboardingId: string) {
  return (await api(runtime, 'GET', `/onboardings/${onboardingId}`)).body;
}

/** Polls the probe every 20 ms until it gives a value other than undefined or false. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until the onboarding waits for `kind` (documents, verification, account). */
export function waitingFor(runtime: Runtime, onboardingId: string, kind: string, timeoutMs?: number): Promise<true> {
  return until(async () => ((await view(runtime, onboardingId)).waitingFor === kind ? true : undefined), timeoutMs);
}

const SETTLED = new Set(['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']);

/** Polls the API until the onboarding settles and its execution has closed. */
export async function settled(runtime: Runtime, onboardingId: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api(runtime, 'GET', `/onboardings/${onboardingId}`);
    if (status === 200 && SETTLED.has(body.status)) {
      await Promise.all(
        (await executionsOf(runtime, onboardingId)).map((e) => runtime.cloud.sfn.waitForExecution(e.executionArn!)),
      );
      return (await api(runtime, 'GET', `/onboardings/${onboardingId}`)).body;
    }
    if (Date.now() > deadline) throw new Error(`onboarding ${onboardingId} did not settle: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every execution of the onboarding state machine that ran for this onboarding (any name). */
export async function executionsOf(runtime: Runtime, onboardingId: string) {
  const sfn = new SFNClient({});
  const { executions = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: runtime.stateMachineArn, maxResults: 1000 }),
  );
  const mine = [];
  for (const execution of executions) {
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn!, maxResults: 1 }),
    );
    const input = events[0]?.executionStartedEventDetails?.input ?? '{}';
    if (JSON.parse(input).onboardingId === onboardingId) mine.push(execution);
  }
  return mine;
}

/** The whole history of an execution, as the console shows it. */
export async function historyOf(executionArn: string) {
  const sfn = new SFNClient({});
  const events = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Every item in the table, raw. */
export async function tableItems() {
  // A scan, which no function makes: the SDK's document client, made for the endpoint the runtime set.
  const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const { Items = [] } = await table.send(new ScanCommand({ TableName: TABLE_NAME }));
  table.destroy();
  return Items;
}

/** Every object key in the bucket. */
export async function bucketKeys() {
  // The functions never list the bucket; the SDK's client does it here, on the local endpoint.
  const { Contents = [] } = await new S3Client({}).send(new ListObjectsV2Command({ Bucket: BUCKET_NAME }));
  return Contents.map((o) => o.Key!);
}

/** The events this stack published about an onboarding. */
export function eventsAbout(runtime: Runtime, onboardingId: string) {
  return runtime.cloud.events
    .published()
    .filter((e) => (e.detail as { onboardingId?: string } | undefined)?.onboardingId === onboardingId);
}

let counter = 0;
/** A valid personal StraitsX request with a registration id no other test uses. */
export function personalRequest(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const suffix = `${process.pid % 1000}${counter}`.padStart(6, '0').slice(-6);
  return {
    provider: 'straitsx',
    merchantRef: `user-${suffix}`,
    customer: {
      registrationType: 'personal',
      customerName: 'Siti Nurhaliza Binte Osman',
      registrationId: `S9${suffix}Z`,
      registrationIdType: 'identity_card',
      registrationIdCountry: 'SG',
      dateOfBirth: '1979-01-11',
      nationality: 'SG',
      email: `siti.${suffix}@example.org`,
      phoneNo: '+65 98765432',
      address: { street: '20 Jalan Kayu', city: 'Singapore', postalCode: '799113', country: 'SG' },
      ...overrides,
    },
  };
}

export { sandboxFetch } from '../../local/sandboxes/merchant-fetch';
