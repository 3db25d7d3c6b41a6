import { DescribeExecutionCommand, RedriveExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createConnectUser } from '../sandbox-commands';
import type { FaultKind } from '../sandboxes/kit';
import { sandboxFetch } from '../sandboxes/merchant-fetch';
import type { ConsoleContext } from './context';
import { sfn } from './data';

/**
 * The console's actions, each through the call a user would make: the SFN API for executions, the public
 * API routes for onboardings, the StraitsX sandbox's own sandbox endpoints. Each answers what the page
 * shows: a short message of ids and statuses, and where to go next.
 */
export interface ActionResult {
  ok: boolean;
  message: string;
  /** Where the page goes after the action (a new execution's page, say); the same page when absent. */
  location?: string;
}

const failure = (error: unknown): ActionResult => ({
  ok: false,
  message: `${(error as Error).name ?? 'Error'}: ${(error as Error).message ?? String(error)}`,
});

/** The console's replay: StartExecution with the same input and a new name (as the AWS console's "New execution"). */
export async function replayExecution(executionArn: string): Promise<ActionResult> {
  try {
    const original = await sfn().send(new DescribeExecutionCommand({ executionArn }));
    // Names are at most 80 characters; the suffix keeps each replay's name unique.
    const name = `${original.name!.slice(0, 60)}-replay-${Date.now().toString(36)}`;
    const started = await sfn().send(
      new StartExecutionCommand({ stateMachineArn: original.stateMachineArn!, input: original.input, name }),
    );
    return {
      ok: true,
      message: `Started execution ${name} with the same input.`,
      location: `/console/executions/${encodeURIComponent(started.executionArn!)}`,
    };
  } catch (error) {
    return failure(error);
  }
}

/** RedriveExecution: a failed, timed-out or aborted execution continues from the state that failed. */
export async function redriveExecution(executionArn: string): Promise<ActionResult> {
  try {
    const { redriveDate } = await sfn().send(new RedriveExecutionCommand({ executionArn }));
    return { ok: true, message: `Redriven at ${redriveDate?.toISOString()}.` };
  } catch (error) {
    return failure(error);
  }
}

async function callApi(ctx: ConsoleContext, method: string, path: string, body: unknown) {
  const res = await fetch(`${ctx.apiUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as ApiAnswer;
  return { status: res.status, answer };
}

/** What the API's answers hold that the console uses. */
interface ApiAnswer {
  message?: string;
  errors?: Array<{ message?: string }>;
  uploadUrl?: string;
  headers?: Record<string, string>;
}

/** The API's own error message (and the failing fields' rules), for the page. */
const apiError = (status: number, answer: ApiAnswer): ActionResult => ({
  ok: false,
  message: `HTTP ${status}: ${[answer.message, ...(answer.errors ?? []).map((e) => e.message)].filter(Boolean).join(' ')}`,
});

/** POST /onboardings/{id}/review: verifies or rejects a profile in review. */
export async function decideReview(
  ctx: ConsoleContext,
  id: string,
  decision: string,
  operator: string,
  reason: string,
): Promise<ActionResult> {
  const body = { decision, ...(operator ? { operator } : {}), ...(reason ? { reason } : {}) };
  const { status, answer } = await callApi(ctx, 'POST', `/onboardings/${encodeURIComponent(id)}/review`, body);
  if (status >= 300) return apiError(status, answer);
  return { ok: true, message: `Review decided: ${decision} (HTTP ${status}).` };
}

/** POST /onboardings/{id}/retry: an operator's retry of a FAILED onboarding. */
export async function retryOnboarding(ctx: ConsoleContext, id: string): Promise<ActionResult> {
  const { status, answer } = await callApi(ctx, 'POST', `/onboardings/${encodeURIComponent(id)}/retry`, {});
  if (status >= 300) return apiError(status, answer);
  return { ok: true, message: `Retry accepted (HTTP ${status}).` };
}

/** POST /onboardings/{id}/documents for a presigned URL, then the PUT of the file to it, as a merchant uploads. */
export async function uploadDocument(
  ctx: ConsoleContext,
  id: string,
  slot: string,
  file: { bytes: Uint8Array; contentType: string },
): Promise<ActionResult> {
  const { status, answer } = await callApi(ctx, 'POST', `/onboardings/${encodeURIComponent(id)}/documents`, {
    slot,
    contentType: file.contentType,
    size: file.bytes.byteLength,
  });
  if (status >= 300) return apiError(status, answer);
  const put = await fetch(answer.uploadUrl!, {
    method: 'PUT',
    headers: answer.headers,
    body: file.bytes,
  });
  if (!put.ok) return { ok: false, message: `Upload to the presigned URL refused: HTTP ${put.status}.` };
  return { ok: true, message: `Uploaded ${file.bytes.byteLength} bytes (${file.contentType}) for slot ${slot}.` };
}

/** A call to one of the StraitsX sandbox's own `/v1/sandbox` endpoints, with the merchant's API key. */
async function straitsxSandbox(ctx: ConsoleContext, method: string, path: string, body: unknown): Promise<ActionResult> {
  try {
    const res = await sandboxFetch(`${ctx.straitsx.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': ctx.straitsx.apiKey },
      body: JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as {
      data?: { id?: string; attributes?: Record<string, unknown> };
      errors?: Array<{ error?: string; detail?: string }>;
      error?: string;
    };
    if (!res.ok) {
      const reason = answer.errors?.map((e) => e.error ?? e.detail).join(' ') ?? answer.error ?? '';
      return { ok: false, message: `StraitsX sandbox: HTTP ${res.status} ${reason}`.trim() };
    }
    const a = answer.data?.attributes ?? {};
    const status = a.verificationStatus ?? a.status ?? '';
    return { ok: true, message: `StraitsX sandbox: ${answer.data?.id ?? ''} ${status}`.replace(/\s+/g, ' ').trim() };
  } catch (error) {
    return failure(error);
  }
}

/** Verifies or rejects a StraitsX customer profile (CP+), as the provider's sandbox endpoint does. */
export const setProfileVerification = (ctx: ConsoleContext, profileId: string, status: string) =>
  straitsxSandbox(ctx, 'PUT', `/sandbox/kyc/customer_profiles/${encodeURIComponent(profileId)}`, {
    data: { attributes: { verificationStatus: status } },
  });

/** Enables a pending (USD) virtual account, with its callback. */
export const enableVirtualAccount = (ctx: ConsoleContext, profileId: string, accountId: string) =>
  straitsxSandbox(
    ctx,
    'PUT',
    `/sandbox/customer_profile/${encodeURIComponent(profileId)}/virtual_bank_accounts/${encodeURIComponent(accountId)}`,
    { status: 'enabled' },
  );

/** Raises a request for information on a profile, with its callback. */
export const raiseRfi = (ctx: ConsoleContext, profileId: string, question: string) =>
  straitsxSandbox(ctx, 'POST', `/sandbox/customer_profile/${encodeURIComponent(profileId)}/rfi-requests`, {
    data: {
      attributes: { questions: [{ text: question || 'Please upload a recent proof of address.', type: 'DOC', required: true }] },
    },
  });

/** Adds a legacy Connect user; its token is never shown (it is the user's secret), only that it exists. */
export async function addConnectUser(ctx: ConsoleContext): Promise<ActionResult> {
  try {
    await createConnectUser({ baseUrl: ctx.straitsx.url, apiKey: ctx.straitsx.apiKey });
    return { ok: true, message: 'Added a Connect user at the StraitsX sandbox (its token is not shown here).' };
  } catch (error) {
    return failure(error);
  }
}

const FAULT_KINDS: FaultKind[] = ['error5xx', 'rateLimit429', 'slow', 'drop'];

/** Queues the next `count` faults of a provider sandbox, optionally aimed at one path; or clears them. */
export function setFaults(
  ctx: ConsoleContext,
  input: { provider: string; kind: string; count: string; status: string; path: string; clear?: boolean },
): ActionResult {
  const sandbox = ctx.faults[input.provider];
  if (!sandbox) return { ok: false, message: `No sandbox named ${input.provider}.` };
  if (input.clear) {
    sandbox.clearFaults();
    return { ok: true, message: `Faults cleared at the ${input.provider} sandbox.` };
  }
  const count = Number(input.count);
  if (!FAULT_KINDS.includes(input.kind as FaultKind))
    return { ok: false, message: `kind must be one of ${FAULT_KINDS.join(', ')}.` };
  if (!Number.isInteger(count) || count < 1 || count > 1000) return { ok: false, message: 'count must be 1 to 1000.' };
  const status = input.status ? Number(input.status) : undefined;
  if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
    return { ok: false, message: 'status must be an HTTP error status (400-599).' };
  }
  sandbox.failNext(count, input.kind as FaultKind, {
    ...(status ? { status } : {}),
    ...(input.path ? { match: { path: new RegExp(input.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) } } : {}),
  });
  return {
    ok: true,
    message: `The next ${count} ${input.kind}${status ? ` ${status}` : ''} fault(s) queued at the ${input.provider} sandbox${input.path ? ` for paths containing ${input.path}` : ''}.`,
  };
}
