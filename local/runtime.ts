import './shared/polyfills';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
// Pure modules (no logger, no clients): safe to load before the functions' environment is set.
import {
  DEFAULT_OUTAGE,
  HISTORY_EVENT_BUDGET,
  inlineNumbers,
  type OutageSettings,
  providerRetryPolicy,
  retryHistoryEvents,
  retryingSteps,
  retryPlaceholders,
} from '../functions/onboarding/retry-policy';
import { positiveEnv } from '../functions/shared/env';
import { OPEN_INDEX } from '../functions/store/onboardings';
import { admit } from '../functions/store/rate-budget';
import { ENTRY_POINTS, type EntryPoint, type HandlerFile } from '../manifest/entry-points';
import { declaredVariables, ENVIRONMENT, type EnvironmentGroup, environmentFor } from '../manifest/environment';
import { ROUTES } from '../manifest/routes';
import { WORKFLOWS } from '../manifest/workflows';
import { type LambdaHandler, lambdaContext, startApi } from './api';
import { startLocalCloud } from './cloud';
import { captureFunctionLogs, type LogCapture } from './cloud/logs';
import type { TaskInvocation } from './cloud/sfn/types';
import { createConsole } from './console';
import { isolateFunctionEnvironments, runAsFunction } from './function-env';
import { LambdaMeter } from './lambda-meter';
import { startStraddleSandbox } from './sandboxes/straddle';
import { startStraitsxSandbox } from './sandboxes/straitsx';
import { startWallexSandbox } from './sandboxes/wallex';
import { startSweeper } from './sweeper';
import { taskSlots } from './task-slots';

const REGION = 'ap-southeast-1';
const ACCOUNT = '000000000000';
const secretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:onboarding/${name}`;
const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:onboarding-${name}`;

export const TABLE_NAME = 'onboarding';
export const BUCKET_NAME = 'onboarding-data';
export const EVENT_BUS_NAME = 'onboarding-merchant';
export const MERCHANT_EVENT_SOURCE = 'merchant.platform';
export const STATE_MACHINE_NAME = 'onboarding';

/** The API's routes, as API Gateway has them (see manifest/routes.ts): method, resource, handler file. */
const API_ROUTES = ROUTES.map((route) => [route.method, route.path, ENTRY_POINTS[route.entryPoint]] as const);

/** Workflow task invocations the embedded stack runs at once, unless `lambdaConcurrency` says otherwise. */
export const DEFAULT_LAMBDA_CONCURRENCY = 32;

export interface RuntimeOptions {
  /** Users a Connect migration batch migrates at once (CDK context connectMigrationBatchMaxConcurrency); default 10. */
  batchMaxConcurrency?: number;
  /** Failed users a batch tolerates, in percent (connectMigrationBatchToleratedFailurePercentage); default 10. */
  batchToleratedFailurePercentage?: number;
  /** Where data is kept between restarts; a fresh temporary folder when omitted (removed on stop). */
  dataDir?: string;
  /** API port; 0 picks a free one. */
  port?: number;
  /** Scale of the workflow's retry pauses: 1 keeps the ASL's own timing. */
  retryScale?: number;
  /** Where the functions' log lines go besides memory; `<dataDir>/logs/functions.jsonl` by default. */
  logFile?: string | false;
  /** Print the functions' log lines as well. */
  echoLogs?: boolean;
  /** The client timeout the functions use against providers. */
  providerTimeoutMs?: number;
  /** Fixed ports for the provider sandboxes (0 or omitted picks a free one). */
  straitsxPort?: number;
  straddlePort?: number;
  wallexPort?: number;
  /** How long the Wallex sandbox takes to decide a screening (ms). */
  screeningDelayMs?: number;
  /** How long the workflow waits for documents, a verdict and an account (seconds). */
  timeouts?: { documents?: number; verification?: number; account?: number };
  /** Pause between the StraitsX sandbox's callback retries (StraitsX: 5 minutes). */
  callbackRetryMs?: number;
  /** How long after its callback the StraitsX sandbox's API shows a profile's new verification status. */
  straitsxVerificationLagMs?: number;
  /** The provider outage the workflows wait out, as the CDK context sets it (default 6 hours, 300 s pauses at most). */
  providerOutage?: Partial<OutageSettings>;
  /** How often the sweeper runs (ms; default 5 minutes); it also runs once at start. 0 turns it off. */
  sweepIntervalMs?: number;
  /** Automatic recoveries of one onboarding (default 3) and how long after a failure (default 900 s). */
  redriveCap?: number;
  redriveDelaySeconds?: number;
  /**
   * Workflow task invocations run at once (default 32); more wait, unbilled, for one to end. Lambda gives
   * each invocation its own sandbox; here they share one process, and a burst of 1,000 steps at once would
   * only share out its CPU until every step runs out of time.
   */
  lambdaConcurrency?: number;
  /** Replaces entry points' environment declarations (manifest/environment.ts), to see a function fail without a variable. */
  environment?: Partial<Record<EntryPoint, readonly EnvironmentGroup[]>>;
}

interface LocalSecrets {
  platform: { idKey: string };
  straitsx: { apiKey: string; callbackSigningKey: string };
  straddle: { apiKey: string; webhookSecret: string };
  wallex: { apiKey: string; accessKeyId: string; secretAccessKey: string; webhookHeaderName: string; webhookHeaderValue: string };
}

/** The secrets of one machine: made once, kept in the data folder (git-ignored). */
function loadSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  // Values made once and kept; a field added since the folder was made is filled in.
  const secrets: LocalSecrets = {
    platform: { idKey: kept.platform?.idKey ?? randomBytes(32).toString('base64url') },
    straitsx: {
      apiKey: kept.straitsx?.apiKey ?? `sandbox_${randomBytes(16).toString('hex')}`,
      callbackSigningKey: kept.straitsx?.callbackSigningKey ?? randomBytes(32).toString('hex'),
    },
    wallex: {
      apiKey: kept.wallex?.apiKey ?? randomBytes(20).toString('hex'),
      accessKeyId: kept.wallex?.accessKeyId ?? `AK${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: kept.wallex?.secretAccessKey ?? randomBytes(30).toString('base64url'),
      webhookHeaderName: kept.wallex?.webhookHeaderName ?? 'X-Webhook-Token',
      webhookHeaderValue: kept.wallex?.webhookHeaderValue ?? randomBytes(24).toString('base64url'),
    },
    straddle: {
      apiKey: kept.straddle?.apiKey ?? `sandbox_${randomBytes(16).toString('hex')}`,
      webhookSecret: kept.straddle?.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`,
    },
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * The whole stack on one machine: local AWS services on loopback, the StraitsX sandbox, the state
 * machine from the same ASL file CDK deploys, the merchant bus rule and the API, all calling the same
 * handlers as Lambda does. The handlers only see the SDK's standard endpoint variables.
 */
export async function startRuntime(options: RuntimeOptions = {}) {
  const temporary = !options.dataDir;
  const dataDir = resolve(options.dataDir ?? mkdtempSync(join(tmpdir(), 'onboarding-')));
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadSecrets(dataDir);

  const logFile = options.logFile === false ? undefined : (options.logFile ?? join(dataDir, 'logs', 'functions.jsonl'));
  const logs: LogCapture = captureFunctionLogs({ file: logFile, echo: options.echoLogs });

  // Each sandbox keeps its data in <data>/sandboxes/<provider>/; work it restores from there (callbacks,
  // decisions) waits until the API it calls back is up again.
  const sandboxData = (provider: string) => ({
    dataDir: temporary ? undefined : join(dataDir, 'sandboxes', provider),
    holdRestoredWork: true,
  });
  const straitsx = await startStraitsxSandbox({
    port: options.straitsxPort ?? 0,
    apiKey: secrets.straitsx.apiKey,
    callbackSecret: secrets.straitsx.callbackSigningKey,
    callbackRetryMs: options.callbackRetryMs ?? 1_000,
    verificationLagMs: options.straitsxVerificationLagMs,
    ...sandboxData('straitsx'),
  });
  const straddle = await startStraddleSandbox({
    port: options.straddlePort ?? 0,
    apiKey: secrets.straddle.apiKey,
    ...sandboxData('straddle'),
  });
  const wallex = await startWallexSandbox({
    port: options.wallexPort ?? 0,
    apiKey: secrets.wallex.apiKey,
    accessKeyId: secrets.wallex.accessKeyId,
    secretAccessKey: secrets.wallex.secretAccessKey,
    screeningDelayMs: options.screeningDelayMs ?? 200,
    ...sandboxData('wallex'),
  });
  const cloud = await startLocalCloud({
    dataDir: temporary ? undefined : join(dataDir, 'aws'),
    tableName: TABLE_NAME,
    tableIndexes: [{ name: OPEN_INDEX.name, pk: OPEN_INDEX.partitionKey, sk: OPEN_INDEX.sortKey }],
    bucketName: BUCKET_NAME,
    secrets: {
      [secretArn('platform')]: JSON.stringify(secrets.platform),
      [secretArn('straitsx')]: JSON.stringify(secrets.straitsx),
      [secretArn('straddle')]: JSON.stringify(secrets.straddle),
      [secretArn('wallex')]: JSON.stringify(secrets.wallex),
    },
    retryScale: options.retryScale ?? 1,
  });

  const retryPolicy = providerRetryPolicy({ ...DEFAULT_OUTAGE, ...options.providerOutage });
  // The same history-size check as at synth: retries past it would end executions at 25,000 events.
  const steps = Math.max(
    ...['onboarding', 'connect-migration'].map((name) =>
      retryingSteps(readFileSync(resolve('workflows', `${name}.asl.json`), 'utf8')),
    ),
  );
  if (retryHistoryEvents(retryPolicy, steps) > HISTORY_EVENT_BUDGET) {
    throw new Error(
      `providerOutage: ${retryPolicy.maxAttempts} attempts per step could write more than ${HISTORY_EVENT_BUDGET} history events: shorten the outage or lengthen the pause`,
    );
  }

  // Every value the stack's functions may get; each function sees only the variables its declaration
  // names (manifest/environment.ts, as CDK sets them), while it runs (see local/function-env.ts).
  const functionEnv: Record<string, string> = {
    TABLE_NAME,
    BUCKET_NAME,
    EVENT_BUS_NAME,
    MERCHANT_ID: 'default',
    PLATFORM_SECRET_ARN: secretArn('platform'),
    STRAITSX_SECRET_ARN: secretArn('straitsx'),
    STRAITSX_BASE_URL: straitsx.url,
    STRAITSX_CONNECT_BASE_URL: straitsx.connectUrl,
    WALLEX_SECRET_ARN: secretArn('wallex'),
    WALLEX_BASE_URL: wallex.url,
    STRADDLE_SECRET_ARN: secretArn('straddle'),
    STRADDLE_BASE_URL: straddle.url,
    PROVIDER_TIMEOUT_MS: String(options.providerTimeoutMs ?? 10_000),
    DOCUMENTS_TIMEOUT_SECONDS: String(options.timeouts?.documents ?? 7 * 24 * 3600),
    VERIFICATION_TIMEOUT_SECONDS: String(options.timeouts?.verification ?? 3 * 24 * 3600),
    ACCOUNT_TIMEOUT_SECONDS: String(options.timeouts?.account ?? 3 * 24 * 3600),
    PROVIDER_RETRY_POLICY: JSON.stringify(retryPolicy),
    REDRIVE_CAP: String(options.redriveCap ?? 3),
    REDRIVE_DELAY_SECONDS: String(options.redriveDelaySeconds ?? 900),
    POWERTOOLS_SERVICE_NAME: 'onboarding',
    POWERTOOLS_METRICS_NAMESPACE: 'Onboarding',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
  };
  Object.assign(process.env, functionEnv);
  const declaration = { ...ENVIRONMENT, ...options.environment };
  const stackValues = () => ({ ...functionEnv });
  // One object per function, filled once the state machines' ARNs are known: invocations read it then.
  const entryPoints = Object.keys(ENTRY_POINTS) as EntryPoint[];
  const ownEnv = Object.fromEntries(
    entryPoints.map((entryPoint) => {
      const values: Record<string, string | undefined> = stackValues();
      const known = declaredVariables(entryPoint, declaration).flatMap((name) => {
        const value = values[name];
        return value === undefined ? [] : [[name, value] as const];
      });
      return [entryPoint, Object.fromEntries(known)];
    }),
  ) as Record<EntryPoint, Record<string, string>>;
  const releaseEnvironments = isolateFunctionEnvironments();
  const meter = new LambdaMeter();

  // Imported after the environment is set, each as its own function: handlers read it when their modules
  // load. Keyed by entry file name (functions/handlers/<name>.ts), as CDK names each function's entry;
  // every call runs with that function's environment alone.
  const handlers = Object.fromEntries(
    await Promise.all(
      entryPoints.map(async (entryPoint) => {
        const file = ENTRY_POINTS[entryPoint];
        const env = ownEnv[entryPoint];
        const loaded = (await runAsFunction(env, () => import(`../functions/handlers/${file}.ts`))).handler as LambdaHandler;
        // Every invocation, from the workflows, the API, events or the schedule, passes the meter.
        const handler: LambdaHandler = (event, context) =>
          meter.invoke(`onboarding-${file}`, () => runAsFunction(env, () => loaded(event, context)));
        return [file, handler] as const;
      }),
    ),
  ) as Record<HandlerFile, LambdaHandler>;
  const invoke = (file: HandlerFile) => (payload: unknown) => handlers[file](payload, lambdaContext(`onboarding-${file}`));
  // Only the workflows' tasks wait for a free slot: an API, event or S3 invocation may be what a running
  // step waits on (a provider's callback), and it must never wait behind that step. A waiting task's
  // time starts, as Lambda's does, when it runs. The oldest execution's task goes first.
  const slots = taskSlots(options.lambdaConcurrency ?? DEFAULT_LAMBDA_CONCURRENCY);
  const invokeTask = (file: HandlerFile) => (payload: unknown, invocation?: TaskInvocation) =>
    slots(invocation?.executionStartedAt ?? Date.now(), () => invoke(file)(payload));

  /**
   * Registers an ASL file with `${<Name>FunctionArn}` placeholders, each served by its handler in-process,
   * and the retry policy's numbers written in as CDK writes them.
   */
  const registerWorkflow = (name: string, file: string, functions: Record<string, HandlerFile>) =>
    cloud.sfn.registerStateMachine({
      name,
      definition: JSON.parse(
        inlineNumbers(readFileSync(resolve('workflows', file), 'utf8'), retryPlaceholders(retryPolicy)),
      ) as object,
      substitutions: Object.fromEntries(Object.entries(functions).map(([placeholder, fn]) => [placeholder, functionArn(fn)])),
      taskHandlers: Object.fromEntries(Object.values(functions).map((fn) => [functionArn(fn), invokeTask(fn)])),
    });

  // The placeholders and the functions that fill them come from the manifest, as on AWS.
  const handlerFiles = (functions: Readonly<Record<string, EntryPoint>>) =>
    Object.fromEntries(Object.entries(functions).map(([placeholder, entryPoint]) => [placeholder, ENTRY_POINTS[entryPoint]]));
  const stateMachineArn = registerWorkflow(
    STATE_MACHINE_NAME,
    WORKFLOWS.onboarding.file,
    handlerFiles(WORKFLOWS.onboarding.functions),
  );
  const migrationStateMachineArn = registerWorkflow(
    'connect-migration',
    WORKFLOWS.connectMigration.file,
    handlerFiles(WORKFLOWS.connectMigration.functions),
  );
  // The batch migration: a Distributed Map of child connect-migration executions (CDK: lib/wiring/connect-migration-batch.ts).
  const batchFunctions = handlerFiles(WORKFLOWS.connectMigrationBatch.functions);
  const batchStateMachineArn = cloud.sfn.registerStateMachine({
    name: 'connect-migration-batch',
    definition: JSON.parse(
      inlineNumbers(readFileSync(resolve('workflows', WORKFLOWS.connectMigrationBatch.file), 'utf8'), {
        BatchMaxConcurrency: options.batchMaxConcurrency ?? 10,
        BatchToleratedFailurePercentage: options.batchToleratedFailurePercentage ?? 10,
      }),
    ) as object,
    substitutions: {
      ConnectMigrationStateMachineArn: migrationStateMachineArn,
      ...Object.fromEntries(Object.entries(batchFunctions).map(([placeholder, file]) => [placeholder, functionArn(file)])),
    },
    taskHandlers: Object.fromEntries(Object.values(batchFunctions).map((file) => [functionArn(file), invokeTask(file)])),
  });
  Object.assign(functionEnv, {
    STATE_MACHINE_ARN: stateMachineArn,
    CONNECT_MIGRATION_STATE_MACHINE_ARN: migrationStateMachineArn,
    CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN: batchStateMachineArn,
  });
  Object.assign(process.env, functionEnv);
  // Now every declared variable has a value; a declaration naming one the stack lacks fails here.
  for (const entryPoint of entryPoints) Object.assign(ownEnv[entryPoint], environmentFor(entryPoint, stackValues(), declaration));

  cloud.events.addRule({
    busName: EVENT_BUS_NAME,
    pattern: { source: [MERCHANT_EVENT_SOURCE], 'detail-type': ['Customer Onboarding Requested'] },
    target: (event: unknown) => invoke('intake')(event).then(() => undefined),
  });

  // Step Functions' own status changes go to the default bus (CDK: a rule limited to both state machines).
  // Imported now: the module loads the shared logger, which reads the environment set above.
  const { executionStatusPattern } = await import('../functions/onboarding/execution-status');
  cloud.events.addRule({
    name: 'execution-status',
    busName: 'default',
    pattern: executionStatusPattern([stateMachineArn, migrationStateMachineArn]),
    target: (event: unknown) => invoke('execution-status')(event).then(() => undefined),
  });

  // The bucket notification for `documents/` (CDK: an S3 event source on the document-uploaded function).
  const uploads = new Set<Promise<unknown>>();
  cloud.onS3Event((event) => {
    const batchRecords = event.Records.filter((r) => String(r.s3?.object?.key ?? '').startsWith('migration-uploads/'));
    if (batchRecords.length > 0) {
      const taken = invoke('migration-batch-uploaded')({ Records: batchRecords }).catch(() => undefined);
      uploads.add(taken);
      void taken.finally(() => uploads.delete(taken));
    }
    const documentRecords = event.Records.filter((r) => String(r.s3?.object?.key ?? '').startsWith('documents/'));
    if (documentRecords.length === 0) return;
    const delivery = invoke('document-uploaded')({ Records: documentRecords }).catch(() => undefined);
    uploads.add(delivery);
    void delivery.finally(() => uploads.delete(delivery));
  });

  // The console (under /console on the API's port) needs the API's URL, known once the API listens.
  let consolePages: ReturnType<typeof createConsole> | undefined;
  const api = await startApi(
    API_ROUTES.map(([method, resource, file]) => ({
      method,
      resource,
      functionName: `onboarding-${file}`,
      handler: ((event, context) => {
        meter.apiRequest(`${method} ${resource}`);
        return handlers[file](event, context);
      }) as LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>,
    })),
    { port: options.port ?? 0, extra: (req, res) => consolePages?.(req, res) ?? Promise.resolve(false) },
  );
  consolePages = createConsole({
    apiUrl: () => api.url,
    stateMachineArns: [stateMachineArn, migrationStateMachineArn],
    publishedEvents: () => cloud.events.published(),
    straitsx: { url: straitsx.url, apiKey: secrets.straitsx.apiKey },
    faults: { straitsx, wallex, straddle },
  });

  // What a merchant does once in the StraitsX dashboard: one callback URL per event type. The request
  // counts against the key's limit like any other, so it goes through the shared budget: the first
  // onboarding steps must not find the provider's second fuller than the budget knows.
  await admit({ provider: 'straitsx', ratePerSecond: positiveEnv('STRAITSX_RATE_PER_SECOND', 4), calls: 1 });
  await configureStraitsxCallbacks(straitsx.url, secrets.straitsx.apiKey, `${api.url}/webhooks/straitsx`);
  straddle.setWebhook({ url: `${api.url}/webhooks/straddle`, secret: secrets.straddle.webhookSecret });
  wallex.setWebhook({
    url: `${api.url}/webhooks/wallex`,
    headerName: secrets.wallex.webhookHeaderName,
    headerValue: secrets.wallex.webhookHeaderValue,
  });
  for (const sandbox of [straitsx, straddle, wallex]) sandbox.resumeRestoredWork();

  // The sweeper's schedule (CDK: an EventBridge schedule), with a sweep at start for what a stop left behind.
  const sweeper = startSweeper(() => invoke('sweeper')({}), options.sweepIntervalMs ?? 5 * 60_000);

  let stopped = false;
  return {
    dataDir,
    apiUrl: api.url,
    stateMachineArn,
    cloud,
    straitsx,
    straddle,
    wallex,
    migrationStateMachineArn,
    batchStateMachineArn,
    /** Runs a sweep now (as the schedule would) and resolves when it is done. */
    sweep: () => sweeper.sweepNow(),
    /** The environment a function sees here: AWS endpoints and the stack's own settings (no secret values). */
    env: { ...cloud.env, ...functionEnv },
    logs,
    secrets,
    /** Lambda invocations and billed milliseconds by function, and API requests by route, since start or the last reset. */
    lambdaMeter: () => meter.reading(),
    /** Starts the meter's counts again from zero. */
    resetLambdaMeter: () => meter.reset(),
    /** Stops every server, restores stdout and removes a temporary data folder. */
    async stop() {
      if (stopped) return;
      stopped = true;
      // The sweeper first, then providers (no more callbacks), then the API once its requests in flight are done, then AWS.
      await sweeper.stop();
      await Promise.all([straitsx.stop(), straddle.stop(), wallex.stop()]);
      await api.stop();
      await Promise.allSettled([...uploads]);
      await cloud.events.idle?.();
      await cloud.stop();
      logs.stop();
      releaseEnvironments();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Runtime = Awaited<ReturnType<typeof startRuntime>>;

/** Registers our webhook URL for every StraitsX callback the onboarding listens to (`PATCH /webhooks`). */
async function configureStraitsxCallbacks(baseUrl: string, apiKey: string, webhookBase: string): Promise<void> {
  const events = [
    'cpVerificationStatusUpdated',
    'virtualAccountStatusUpdated',
    'cpRfiStatusUpdated',
    'paymentStatusUpdated',
    'cpbaVerificationStatusUpdated',
  ];
  const res = await fetch(`${baseUrl}/webhooks`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': apiKey },
    body: JSON.stringify({ data: { attributes: Object.fromEntries(events.map((e) => [e, `${webhookBase}/${e}`])) } }),
  });
  if (!res.ok) throw new Error(`configuring StraitsX callbacks failed: HTTP ${res.status}`);
}
