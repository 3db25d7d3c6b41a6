import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { publicView } from '../../functions/onboarding/record';
import { onAwsClientsReset } from '../../functions/shared/aws';
import type { ConsoleContext } from './context';

/**
 * What the console reads: onboardings through the public API (the same view a merchant gets) and a
 * table scan for the list (the API has no list route); executions through the Step Functions API.
 * Only ids, statuses, slots and timestamps leave here: the vault is never read.
 */

let sfnClient: SFNClient | undefined;
/** An SFN client for the endpoint the runtime set (`AWS_ENDPOINT_URL_SFN`). */
export function sfn(): SFNClient {
  sfnClient ??= new SFNClient({});
  return sfnClient;
}

// The console scans the table, which no function does: it keeps the SDK's document client for that.
let documentClient: DynamoDBDocumentClient | undefined;
function table(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return documentClient;
}
onAwsClientsReset(() => {
  sfnClient = undefined;
  documentClient = undefined;
});

export interface OnboardingSummary {
  onboardingId: string;
  provider: string;
  status: string;
  waitingFor?: string;
  kind?: string;
  createdAt: string;
  updatedAt: string;
}

export interface ListFilters {
  provider?: string;
  status?: string;
  waitingFor?: string;
  /** An ISO date (YYYY-MM-DD): onboardings created on or after it. */
  createdFrom?: string;
}

/** Every onboarding record, newest first, narrowed by the filters. */
export async function listOnboardings(filters: ListFilters): Promise<OnboardingSummary[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table().send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME,
        FilterExpression: 'sk = :record',
        ExpressionAttributeValues: { ':record': 'RECORD' },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items
    .map((item) => ({
      onboardingId: String(item.onboardingId),
      provider: String(item.provider),
      status: String(item.status),
      // As the API's view says it: a wait, or a provider call being retried.
      waitingFor: (item.waiting as { kind?: string } | undefined)?.kind ?? (item.retry ? 'provider' : undefined),
      kind: item.kind as string | undefined,
      createdAt: String(item.createdAt),
      updatedAt: String(item.updatedAt),
    }))
    .filter(
      (o) =>
        (!filters.provider || o.provider === filters.provider) &&
        (!filters.status || o.status === filters.status) &&
        (!filters.waitingFor || (filters.waitingFor === 'nothing' ? !o.waitingFor : o.waitingFor === filters.waitingFor)) &&
        (!filters.createdFrom || o.createdAt >= filters.createdFrom),
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The API's view of an onboarding, as JSON carries it, without the merchant's reference and the account number. */
export type OnboardingView = Omit<ReturnType<typeof publicView>, 'merchantRef' | 'virtualAccount'> & {
  virtualAccount?: { id: string; currency?: string; status?: string };
};

/** GET /onboardings/{id}, as the API answers it; undefined on 404. */
export async function onboardingView(ctx: ConsoleContext, id: string): Promise<OnboardingView | undefined> {
  const res = await fetch(`${ctx.apiUrl()}/onboardings/${encodeURIComponent(id)}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET /onboardings/${id}: HTTP ${res.status}`);
  // Neither is needed to operate, and either could identify the customer: kept off the page.
  const { merchantRef: _ref, virtualAccount, ...view } = (await res.json()) as ReturnType<typeof publicView>;
  return {
    ...view,
    ...(virtualAccount
      ? { virtualAccount: { id: virtualAccount.id, currency: virtualAccount.currency, status: virtualAccount.status } }
      : {}),
  };
}

/** The events published about an onboarding, oldest first: type, time and the detail's ids and statuses. */
export function eventsAbout(ctx: ConsoleContext, id: string) {
  return ctx.publishedEvents().filter((e) => (e.detail as { onboardingId?: string } | undefined)?.onboardingId === id);
}

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate?: Date;
  stopDate?: Date;
  redriveCount?: number;
}

// An execution's input never changes: read once per execution.
const inputs = new Map<string, Record<string, unknown>>();

async function inputOf(executionArn: string): Promise<Record<string, unknown>> {
  const known = inputs.get(executionArn);
  if (known) return known;
  const { events = [] } = await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1 }));
  const input = JSON.parse(events[0]?.executionStartedEventDetails?.input ?? '{}') as Record<string, unknown>;
  inputs.set(executionArn, input);
  return input;
}

/** The executions (any state machine, any name) whose input names this onboarding, newest first. */
export async function executionsOf(ctx: ConsoleContext, onboardingId: string): Promise<ExecutionSummary[]> {
  const found: ExecutionSummary[] = [];
  for (const stateMachineArn of ctx.stateMachineArns) {
    let nextToken: string | undefined;
    do {
      const page = await sfn().send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
      for (const e of page.executions ?? []) {
        if ((await inputOf(e.executionArn!)).onboardingId !== onboardingId) continue;
        found.push({
          executionArn: e.executionArn!,
          stateMachineArn,
          name: e.name!,
          status: e.status!,
          startDate: e.startDate,
          stopDate: e.stopDate,
          redriveCount: e.redriveCount,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return found.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
}

export interface MapRunSummary {
  mapRunArn?: string;
  startDate?: Date;
  stopDate?: Date;
}

/** One execution: its description, whole history, definition and Map Runs (when the service has them). */
export async function executionDetail(executionArn: string) {
  const description = await sfn().send(new DescribeExecutionCommand({ executionArn }));
  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    history.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const machine = await sfn().send(new DescribeStateMachineCommand({ stateMachineArn: description.stateMachineArn! }));
  return { description, history, definition: machine.definition ?? '{}', mapRuns: await mapRunsOf(executionArn) };
}

/**
 * ListMapRuns, when the local service answers it: an older service without Distributed Map answers an
 * unknown operation, and the page then has no Map Runs section at all.
 */
async function mapRunsOf(executionArn: string): Promise<MapRunSummary[] | undefined> {
  try {
    const { mapRuns = [] } = await sfn().send(new ListMapRunsCommand({ executionArn }));
    return mapRuns;
  } catch {
    return undefined;
  }
}

/** Where an execution went, from its history: states entered in order and the last one. */
export function pathOf(history: HistoryEvent[], status: string) {
  const entered = history.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? '');
  return { entered, current: entered.at(-1), failed: status !== 'RUNNING' && status !== 'SUCCEEDED' };
}
