import '../local/shared/polyfills';
import { pathToFileURL } from 'node:url';
import { lambdaTotals, type MeterReading, usageBetween } from '../local/lambda-meter';
import { MerchantClient } from '../local/merchant';
import { type Runtime, startRuntime } from '../local/runtime';
import { FUNCTION_MEMORY_MB } from '../manifest/function-settings';
import { PATHS, type Path } from './cost-paths';

/**
 * What one successful onboarding costs to run, per path, measured on the embedded stack: state
 * transitions, Lambda invocations and GB-seconds, API Gateway requests, and the cost per 1,000
 * onboardings at AWS list prices. Each path runs a few times, one after another, without faults.
 *
 * DynamoDB is counted in requests, each billed as one request unit: a lower bound, exact for items
 * under 1 KB written and 4 KB read (the local server does not report item sizes).
 * Left out: S3 requests (a few per onboarding with documents), EventBridge events, Secrets Manager
 * calls, KMS, CloudWatch Logs and X-Ray, and the merchant's polling of the onboarding's status
 * (`GET /onboardings/{id}`, as often as the merchant likes: counted apart, with its DynamoDB reads).
 */

/**
 * AWS list prices, us-east-1, as published in December 2026 (USD). Lambda's duration price is arm64's
 * first tier; Step Functions' is Standard workflows beyond the free tier; API Gateway's is the REST API's
 * first tier. The free tiers are left out.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-12',
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  stepFunctionsTransition: 0.025 / 1_000,
  /** Lambda arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** Lambda, per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1_000_000,
  /** API Gateway REST API, per request ($3.50 per million). */
  apiGatewayRequest: 3.5 / 1_000_000,
  /** DynamoDB on-demand, per write request unit ($0.625 per million). */
  dynamoWriteUnit: 0.625 / 1_000_000,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamoReadUnit: 0.125 / 1_000_000,
} as const;

/** Routes a merchant polls at will: their requests are counted apart and not billed to a path. */
const POLLING_ROUTES = new Set(['GET /onboardings/{id}', 'GET /migrations/connect/batches/{batchId}']);
/** The functions behind those routes. */
const POLLING_FUNCTIONS = new Set(['onboarding-get-onboarding', 'onboarding-migration-batch-status']);

/** What one onboarding used. */
export interface OnboardingUsage {
  transitions: number;
  invocations: number;
  lambdaSeconds: number;
  gbSeconds: number;
  apiRequests: number;
  /** DynamoDB read and write requests. */
  dynamoReads: number;
  dynamoWrites: number;
  /** Status reads by the merchant (not in the cost). */
  polls: number;
  /** Invocations and billed milliseconds by function (polling functions left out). */
  functions: Record<string, { invocations: number; billedMs: number }>;
}

/** A meter and transition reading, to subtract from a later one. */
export interface CostMark {
  meter: MeterReading;
  transitions: number;
  dynamo: Record<string, number>;
}

const DYNAMO_READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan'];
const DYNAMO_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];

/** Reads the runtime's meters now. */
export function mark(runtime: Runtime): CostMark {
  return {
    meter: runtime.lambdaMeter(),
    transitions: runtime.cloud.sfn.totalStateTransitions(),
    dynamo: runtime.cloud.dynamoOperations(),
  };
}

/** What the stack used between two marks, the merchant's polling set apart. */
export function usageSince(before: CostMark, after: CostMark): OnboardingUsage {
  const used = usageBetween(before.meter, after.meter);
  const billed = {
    ...used,
    functions: Object.fromEntries(Object.entries(used.functions).filter(([name]) => !POLLING_FUNCTIONS.has(name))),
  };
  const lambda = lambdaTotals(billed);
  let apiRequests = 0;
  let polls = 0;
  for (const [route, count] of Object.entries(used.apiRequests)) {
    if (POLLING_ROUTES.has(route)) polls += count;
    else apiRequests += count;
  }
  const dynamo = (operations: string[]) =>
    operations.reduce((sum, op) => sum + (after.dynamo[op] ?? 0) - (before.dynamo[op] ?? 0), 0);
  return {
    transitions: after.transitions - before.transitions,
    dynamoReads: dynamo(DYNAMO_READS),
    dynamoWrites: dynamo(DYNAMO_WRITES),
    invocations: lambda.invocations,
    lambdaSeconds: lambda.seconds,
    gbSeconds: lambda.gbSeconds,
    apiRequests,
    polls,
    functions: billed.functions,
  };
}

/**
 * Lambda seconds and GB-seconds per onboarding between two marks, for a run of `onboardings` onboardings
 * (the burst bench's figure). Polling functions are left out.
 */
export function lambdaPerOnboarding(before: CostMark, after: CostMark, onboardings: number) {
  const used = usageSince(before, after);
  return {
    invocations: used.invocations / onboardings,
    lambdaSeconds: used.lambdaSeconds / onboardings,
    gbSeconds: used.gbSeconds / onboardings,
  };
}

/** Dollars per 1,000 onboardings of a path that uses `usage` each. */
export function costPerThousand(usage: OnboardingUsage) {
  const stepFunctions = 1_000 * usage.transitions * PRICES.stepFunctionsTransition;
  const lambda = 1_000 * (usage.invocations * PRICES.lambdaRequest + usage.gbSeconds * PRICES.lambdaGbSecond);
  const apiGateway = 1_000 * usage.apiRequests * PRICES.apiGatewayRequest;
  const dynamo = 1_000 * (usage.dynamoReads * PRICES.dynamoReadUnit + usage.dynamoWrites * PRICES.dynamoWriteUnit);
  const total = stepFunctions + lambda + apiGateway + dynamo;
  return { stepFunctions, lambda, apiGateway, dynamo, total, stepFunctionsShare: total === 0 ? 0 : stepFunctions / total };
}

/** The mean of each figure over a path's runs. */
function mean(runs: OnboardingUsage[]): OnboardingUsage {
  const sum = (pick: (u: OnboardingUsage) => number) => runs.reduce((s, u) => s + pick(u), 0) / runs.length;
  return {
    transitions: sum((u) => u.transitions),
    invocations: sum((u) => u.invocations),
    lambdaSeconds: sum((u) => u.lambdaSeconds),
    gbSeconds: sum((u) => u.gbSeconds),
    apiRequests: sum((u) => u.apiRequests),
    polls: sum((u) => u.polls),
    dynamoReads: sum((u) => u.dynamoReads),
    dynamoWrites: sum((u) => u.dynamoWrites),
    functions: Object.fromEntries(
      [...new Set(runs.flatMap((u) => Object.keys(u.functions)))].map((name) => [
        name,
        {
          invocations: sum((u) => u.functions[name]?.invocations ?? 0),
          billedMs: sum((u) => u.functions[name]?.billedMs ?? 0),
        },
      ]),
    ),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the stack is quiet: no execution running and nothing invoked for a while, so callbacks
 * and status-change events that follow an onboarding's end are counted with it.
 */
async function quiet(runtime: Runtime, quietMs = 1_500): Promise<void> {
  let last = JSON.stringify(mark(runtime));
  for (;;) {
    await sleep(quietMs);
    const now = JSON.stringify(mark(runtime));
    if (now === last && runtime.cloud.sfn.pendingTaskTokens().length === 0) return;
    last = now;
  }
}

/** The measured figures of one path. */
export interface PathCost {
  path: string;
  runs: number;
  usage: OnboardingUsage;
  /** The lowest and highest transitions of a run (a path without retries has one figure). */
  transitionRange: [number, number];
}

/** Runs each path `runs` times, one onboarding at a time, and measures what each used. */
export async function measurePaths(runtime: Runtime, runs: number, paths: Path[] = PATHS): Promise<PathCost[]> {
  const merchant = new MerchantClient(() => runtime.apiUrl);
  const results: PathCost[] = [];
  await quiet(runtime);
  for (const path of paths) {
    const measured: OnboardingUsage[] = [];
    for (let n = 0; n < runs; n++) {
      const before = mark(runtime);
      const done = await path.run(runtime, merchant, n);
      if (done.status !== 'COMPLETED') throw new Error(`${path.name}: ended ${done.status}, not COMPLETED`);
      await quiet(runtime);
      const used = usageSince(before, mark(runtime));
      // The merchant's status reads are not the path's: one more read tells what each cost in DynamoDB reads.
      const beforeRead = mark(runtime);
      await merchant.view(done.onboardingId);
      const perPoll = usageSince(beforeRead, mark(runtime));
      measured.push({ ...used, dynamoReads: used.dynamoReads - used.polls * perPoll.dynamoReads });
    }
    const transitions = measured.map((u) => u.transitions);
    results.push({
      path: path.name,
      runs,
      usage: mean(measured),
      transitionRange: [Math.min(...transitions), Math.max(...transitions)],
    });
  }
  return results;
}

/** The table of costs, one line per path. */
export function costTable(results: PathCost[]): string[] {
  const money = (n: number) => `$${n.toFixed(4)}`;
  const headers = [
    'path',
    'transitions',
    'Lambda inv.',
    'Lambda GB-s',
    'API req.',
    'DDB r/w',
    'SFN $/1k',
    'Lambda $/1k',
    'API GW $/1k',
    'DDB $/1k',
    'total $/1k',
    'SFN share',
  ];
  const rows = results.map(({ path, usage, transitionRange: [low, high] }) => {
    const cost = costPerThousand(usage);
    return [
      path,
      low === high ? String(low) : `${usage.transitions.toFixed(1)} (${low}-${high})`,
      usage.invocations.toFixed(1),
      usage.gbSeconds.toFixed(3),
      usage.apiRequests.toFixed(1),
      `${usage.dynamoReads.toFixed(0)}/${usage.dynamoWrites.toFixed(0)}`,
      money(cost.stepFunctions),
      money(cost.lambda),
      money(cost.apiGateway),
      money(cost.dynamo),
      money(cost.total),
      `${(cost.stepFunctionsShare * 100).toFixed(0)}%`,
    ];
  });
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map(line),
    `per successful onboarding, mean of ${results[0]?.runs ?? 0} runs each; list prices ${PRICES.region}, ${PRICES.asOf}; ` +
      `Lambda GB-s from in-process wall-clock time at ${FUNCTION_MEMORY_MB} MB; merchant status polls not counted ` +
      `(${results.map((r) => r.usage.polls.toFixed(0)).join('/')} per run here); DynamoDB at one unit a request; S3 left out`,
  ];
}

/** Where each path's Lambda time goes: invocations and billed milliseconds per onboarding, by function. */
export function functionBreakdown(results: PathCost[]): string[] {
  const lines = ['Lambda per onboarding, by function (invocations x, billed ms):'];
  for (const { path, usage } of results) {
    const parts = Object.entries(usage.functions)
      .sort(([, a], [, b]) => b.billedMs - a.billedMs)
      .map(([name, u]) => `${name.replace(/^onboarding-/, '')} ${u.invocations.toFixed(1)}x ${u.billedMs.toFixed(0)} ms`);
    lines.push(`  ${path}: ${parts.join(', ')}`);
  }
  return lines;
}

/** Starts a quiet embedded stack, measures every path and returns the table. */
export async function benchCost(runs = Number(process.env.BENCH_COST_RUNS ?? 5)): Promise<string[]> {
  const runtime = await startRuntime({ retryScale: 1, logFile: false, sweepIntervalMs: 0 });
  try {
    const results = await measurePaths(runtime, runs);
    return [...costTable(results), '', ...functionBreakdown(results)];
  } finally {
    await runtime.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.stdout.write(`${(await benchCost()).join('\n')}\n`);
}
