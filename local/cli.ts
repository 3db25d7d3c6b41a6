import './shared/polyfills';

// The functions run on Node 24 in Lambda; on a Node 20 machine the SDK's upgrade notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { runDemo } from './demo';
import { parseFaults } from './faults-option';
import { DEFAULT_LAMBDA_CONCURRENCY, startRuntime } from './runtime';
import { parseLambdaConcurrency, parseRetryScale, parseSweepInterval } from './start-options';

const program = new Command('onboard').description('The onboarding stack on one machine: no AWS account, no Docker, no network.');

program
  .command('start')
  .description('Start the embedded stack and keep serving until Ctrl-C.')
  .option('--port <port>', 'API port (or the PORT variable)', process.env.PORT ?? '3000')
  .option('--data <dir>', 'where data is kept between restarts', '.local')
  .option('--straitsx-port <port>', 'StraitsX sandbox port', '3101')
  .option('--wallex-port <port>', 'Wallex sandbox port', '3102')
  .option('--straddle-port <port>', 'Straddle sandbox port', '3103')
  .option(
    '--faults <spec>',
    'faults every provider sandbox injects, e.g. 5xx=0.1,429=0.05,slow=0.05:15000,drop=0.02,after',
    process.env.SANDBOX_FAULTS,
  )
  .option('--sweep-interval <seconds>', 'how often the sweeper heals failed and stranded onboardings (0: never)', '300')
  .option(
    '--retry-scale <n>',
    "scale of the workflows' retry pauses: 1 keeps the deployed timing; below 1 shortens them (tests, trials)",
    '1',
  )
  .option(
    '--lambda-concurrency <n>',
    'workflow task invocations run at once; more wait for a free one, their time starting when they run',
    String(DEFAULT_LAMBDA_CONCURRENCY),
  )
  .action(
    async (opts: {
      port: string;
      data: string;
      straitsxPort: string;
      wallexPort: string;
      straddlePort: string;
      faults?: string;
      sweepInterval: string;
      retryScale: string;
      lambdaConcurrency: string;
    }) => {
      const faults = opts.faults ? parseFaults(opts.faults) : undefined;
      const retryScale = parseRetryScale(opts.retryScale);
      const sweepIntervalMs = parseSweepInterval(opts.sweepInterval);
      const lambdaConcurrency = parseLambdaConcurrency(opts.lambdaConcurrency);
      const runtime = await startRuntime({
        lambdaConcurrency,
        dataDir: opts.data,
        port: Number(opts.port),
        straitsxPort: Number(opts.straitsxPort),
        wallexPort: Number(opts.wallexPort),
        straddlePort: Number(opts.straddlePort),
        sweepIntervalMs,
        retryScale,
      });
      if (faults) for (const sandbox of [runtime.straitsx, runtime.wallex, runtime.straddle]) sandbox.setFaults(faults);
      // Operator commands (`npm run onboard -- unmasked ...`) reach this running stack through this file.
      writeFileSync(join(runtime.dataDir, 'runtime.json'), JSON.stringify(runtime.env, null, 2), { mode: 0o600 });
      const out = (line = '') => process.stdout.write(`${line}\n`);
      out(`Onboarding stack running (data in ${runtime.dataDir})`);
      out(`  API                  ${runtime.apiUrl}   POST /onboardings, GET /onboardings/{id}`);
      out(`  Console              ${runtime.apiUrl}/console   onboardings, executions, replays, redrives, sandboxes`);
      out(`  StraitsX sandbox     ${runtime.straitsx.url}   (Connect: ${runtime.straitsx.connectUrl})`);
      out(`  Wallex sandbox       ${runtime.wallex.url}`);
      out(`  Straddle sandbox     ${runtime.straddle.url}`);
      if (faults) out(`  sandbox faults       ${JSON.stringify(faults)}`);
      for (const [name, url] of Object.entries(runtime.cloud.env).filter(([k]) => k.startsWith('AWS_ENDPOINT_URL_'))) {
        out(`  ${name.replace('AWS_ENDPOINT_URL_', '').toLowerCase().padEnd(20)} ${url}`);
      }
      out(`  function logs        ${runtime.dataDir}/logs/functions.jsonl`);
      out('');
      out('Try:');
      out(
        `  curl -s -X POST ${runtime.apiUrl}/onboardings -H 'content-type: application/json' -d @examples/straitsx-personal.json`,
      );
      out(`  curl -s ${runtime.apiUrl}/onboardings/<onboardingId>`);
      out(
        `  (examples/ has Wallex, Straddle, CP+ and Connect migration requests too; secrets are in ${runtime.dataDir}/secrets.json)`,
      );
      out('');
      out('Ctrl-C stops everything.');
      const shutdown = async () => {
        out('\nStopping...');
        await runtime.stop();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
  );

program
  .command('demo')
  .description('Start the embedded stack, onboard the sample customers through the API, print what happened and stop.')
  .action(async () => {
    const started = Date.now();
    const runtime = await startRuntime({ retryScale: 0.01 });
    let ok = false;
    try {
      process.stdout.write(`Embedded stack up in ${Date.now() - started} ms (API ${runtime.apiUrl})\n\n`);
      ok = await runDemo(runtime, (line) => process.stdout.write(`${line}\n`));
    } finally {
      await runtime.stop();
    }
    process.stdout.write(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.exit(ok ? 0 : 1);
  });

/** Points this process at a stack: the running `npm start` (its runtime.json), or the deployed one (`--aws`). */
function useStack(opts: { data: string; aws?: boolean }): void {
  if (opts.aws) return;
  const file = join(opts.data, 'runtime.json');
  if (!existsSync(file)) throw new Error(`${file} not found: start the stack with npm start, or pass --aws`);
  Object.assign(process.env, JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
}

const stackOptions = (command: Command) =>
  command
    .option('--data <dir>', 'the running `npm start` whose stack to use', '.local')
    .option(
      '--aws',
      'use the deployed stack: AWS credentials and TABLE_NAME, STRADDLE_SECRET_ARN, STRADDLE_BASE_URL from the environment',
    );

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

stackOptions(
  program
    .command('unmasked <onboardingId>')
    .description(
      "Operators only: show a Straddle customer's unmasked data (full date of birth, SSN/EIN). Each use is recorded with who and why; nothing shown is logged or stored.",
    )
    .requiredOption('--operator <id>', 'who is looking (recorded)')
    .requiredOption('--reason <text>', 'why (recorded; at least 10 characters)'),
).action(async (onboardingId: string, opts: { operator: string; reason: string; data: string; aws?: boolean }) => {
  useStack(opts);
  const { unmaskedStraddleCustomer } = await import('../functions/flows/straddle-operator/unmask');
  print(await unmaskedStraddleCustomer({ onboardingId, operator: opts.operator, reason: opts.reason }));
});

stackOptions(
  program
    .command('retry <onboardingId>')
    .description(
      'Operators: redrive a failed onboarding from the step that failed (or start it again where it cannot be redriven). A running or finished one is refused.',
    ),
).action(async (onboardingId: string, opts: { data: string; aws?: boolean }) => {
  useStack(opts);
  const { retryOnboarding } = await import('../functions/onboarding/retry');
  const { action, executionArn, record } = await retryOnboarding(onboardingId);
  print({ onboardingId, action, executionArn, status: record.status });
});

const straddle = program.command('straddle').description("Operators: Straddle's customer API (masked data).");

stackOptions(
  straddle
    .command('list')
    .description('List customers with the documented filters.')
    .option('--status <statuses>', 'comma-separated: pending,review,verified,rejected,inactive')
    .option('--type <types>', 'comma-separated: individual,business')
    .option('--name <text>', 'partial name')
    .option('--email <email>')
    .option('--external-id <id>', 'our onboarding id')
    .option('--created-from <iso>')
    .option('--created-to <iso>')
    .option('--search <text>')
    .option('--page <n>', 'page number', '1')
    .option('--page-size <n>', 'page size', '25')
    .option('--sort <field>', 'name or created_at', 'created_at')
    .option('--order <order>', 'asc or desc', 'desc'),
).action(async (opts: Record<string, string | boolean | undefined>) => {
  useStack(opts as { data: string; aws?: boolean });
  const { straddleOperations } = await import('../functions/providers/straddle/operator');
  const list = (value: unknown) => (typeof value === 'string' ? value.split(',').filter(Boolean) : undefined);
  const page = await straddleOperations().listCustomers({
    status: list(opts.status) as never,
    types: list(opts.type) as never,
    name: opts.name as string | undefined,
    email: opts.email as string | undefined,
    external_id: opts.externalId as string | undefined,
    created_from: opts.createdFrom as string | undefined,
    created_to: opts.createdTo as string | undefined,
    search_text: opts.search as string | undefined,
    page_number: Number(opts.page),
    page_size: Number(opts.pageSize),
    sort_by: opts.sort as 'name' | 'created_at',
    sort_order: opts.order as 'asc' | 'desc',
  });
  print(page);
});

stackOptions(straddle.command('get <customerId>').description('One customer (masked).')).action(
  async (customerId: string, opts: { data: string; aws?: boolean }) => {
    useStack(opts);
    const { straddleOperations } = await import('../functions/providers/straddle/operator');
    print(await straddleOperations().getCustomer(customerId));
  },
);

stackOptions(
  straddle
    .command('replace <customerId> <file>')
    .description(
      'Replace a customer (PUT, full replacement) with the JSON body in <file>; changing identity fields can start a new verification.',
    )
    .option('--attempt <n>', 'bump after a 400: the previous idempotency key is spent', '0'),
).action(async (customerId: string, file: string, opts: { data: string; aws?: boolean; attempt: string }) => {
  useStack(opts);
  const { straddleOperations } = await import('../functions/providers/straddle/operator');
  print(
    await straddleOperations().replaceCustomer(customerId, JSON.parse(readFileSync(file, 'utf8')), {
      attempt: Number(opts.attempt),
    }),
  );
});

const sandbox = program
  .command('sandbox')
  .description("Provider sandboxes of the running `npm start`: what a provider's sandbox dashboard offers.");

const sandboxOptions = (command: Command) =>
  command
    .option('--data <dir>', 'the running `npm start` whose sandboxes to use', '.local')
    .option('--straitsx-port <port>', 'StraitsX sandbox port when <data>/runtime.json is absent', '3101');

sandboxOptions(
  sandbox
    .command('connect-user')
    .description(
      'Create a legacy StraitsX Connect user with an existing virtual account; prints the userApiToken and merchantRef for POST /migrations/connect.',
    )
    .option('--merchant-ref <ref>', "the user's past Connect merchant_ref (made up when absent)")
    .option('--account-no <digits>', 'their existing virtual account number (made up when absent)'),
).action(async (opts: { data: string; straitsxPort: string; merchantRef?: string; accountNo?: string }) => {
  const { straitsxSandboxOf, createConnectUser } = await import('./sandbox-commands');
  const target = straitsxSandboxOf(opts.data, Number(opts.straitsxPort));
  print(await createConnectUser(target, { merchantRef: opts.merchantRef, accountNo: opts.accountNo }));
  process.stderr.write(
    'Use userApiToken and merchantRef in a POST /migrations/connect body (examples/connect-migration.json).\n',
  );
});

sandboxOptions(
  sandbox
    .command('revoke-connect-user <userApiToken>')
    .description("Revoke a Connect user's token, as the user can: a migration with it then needs attention."),
).action(async (userApiToken: string, opts: { data: string; straitsxPort: string }) => {
  const { straitsxSandboxOf, revokeConnectUser } = await import('./sandbox-commands');
  await revokeConnectUser(straitsxSandboxOf(opts.data, Number(opts.straitsxPort)), userApiToken);
  process.stdout.write('revoked\n');
});

program
  .command('migrate')
  .description('Batch migrations onto the running `npm start`.')
  .command('connect <file>')
  .description(
    'Migrate every StraitsX Connect user of a manifest (CSV with a header row, or JSON Lines): one user a row with merchantRef, userApiToken and the profile fields (customer.<field> in CSV).',
  )
  .option('--api <url>', "the running stack's API", `http://127.0.0.1:${process.env.PORT ?? '3000'}`)
  .action(async (file: string, opts: { api: string }) => {
    const { runMigrateCommand } = await import('./migrate-batch');
    const final = await runMigrateCommand(opts.api, file);
    if (final.status !== 'COMPLETED') process.exitCode = 1;
  });

program.parseAsync().catch((error: unknown) => {
  const failed = error as { name?: string; errors?: Array<{ path: string; message: string }>; message?: string };
  if (failed?.name === 'ValidationFailed' && failed.errors) {
    process.stderr.write(`${failed.errors.map((e) => `${e.path || '(input)'}: ${e.message}`).join('\n')}\n`);
  } else if (
    failed?.name?.startsWith('Provider') ||
    failed?.name === 'OnboardingNotFound' ||
    failed?.name === 'RetryNotPossible'
  ) {
    process.stderr.write(`${failed.name}: ${failed.message}\n`);
  } else {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
