import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_ENVIRONMENT, type BuiltBundle, buildEntry, buildHandler } from '../lib/bundling';
import { ENTRY_POINTS, type EntryPoint } from '../manifest/entry-points';
import { declaredVariables } from '../manifest/environment';

/**
 * Bundle size and cold import time of every function, against a bundled hello world built the same way.
 * Each import runs in a fresh `node` process with the environment its function gets on Lambda (its
 * declared variables with stand-in values, the runtime's own AWS variables); the figure is the median
 * wall time of several runs, the runs of all bundles interleaved so a busy machine slows them alike.
 */

const HELLO = fileURLToPath(new URL('./fixtures/hello-handler.ts', import.meta.url));

/** Stand-in values by variable: shapes the functions accept, pointing nowhere. */
function standIn(name: string): string {
  if (name === 'PROVIDER_RETRY_POLICY') return '{}';
  if (name.endsWith('_ARN')) return `arn:aws:states:ap-southeast-1:123456789012:stateMachine:${name.toLowerCase()}`;
  if (name.endsWith('_URL')) return 'https://provider.invalid';
  if (/_(MS|SECONDS|CAP)$/.test(name)) return '60';
  return BUNDLE_ENVIRONMENT[name] ?? name.toLowerCase().replaceAll('_', '-');
}

/** What Lambda puts in every function's environment besides the stack's configuration. */
const LAMBDA_ENVIRONMENT = {
  AWS_REGION: 'ap-southeast-1',
  AWS_DEFAULT_REGION: 'ap-southeast-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_SESSION_TOKEN: 'bench-session',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  LAMBDA_TASK_ROOT: '/var/task',
  PATH: process.env.PATH ?? '/usr/bin:/bin',
};

/** The environment an entry point's function runs with. */
export function functionEnvironment(entryPoint?: EntryPoint): Record<string, string> {
  const names = entryPoint ? declaredVariables(entryPoint) : [];
  return {
    ...LAMBDA_ENVIRONMENT,
    ...BUNDLE_ENVIRONMENT,
    ...Object.fromEntries(names.map((name) => [name, standIn(name)])),
    AWS_LAMBDA_FUNCTION_NAME: entryPoint ?? 'Hello',
  };
}

/** Wall time in ms of a fresh node process that imports `file` and exits. */
function importOnce(file: string, env: Record<string, string>): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(file)})`], {
    env,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr.slice(0, 500)}`);
  return ms;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One row of the bench. */
export interface BundleFigures {
  readonly entryPoint: string;
  /** Every chunk of the asset. */
  readonly kb: number;
  /** What importing the function loads: the entry and its static chunks. */
  readonly loadedKb: number;
  readonly importMs: number;
  readonly ratio: number;
}

/** Builds every entry point and the hello world, times their imports, and returns one row each. */
export async function measureBundles(runs = Number(process.env.BENCH_BUNDLE_RUNS ?? 7)): Promise<{
  hello: { kb: number; importMs: number };
  rows: BundleFigures[];
}> {
  const dir = await mkdtemp(join(tmpdir(), 'bundles-'));
  try {
    const entries = Object.entries(ENTRY_POINTS) as [EntryPoint, string][];
    const built: [EntryPoint, BuiltBundle][] = await Promise.all(
      entries.map(async ([entryPoint, file]) => [entryPoint, await buildHandler(file, join(dir, file))] as const),
    );
    const hello = await buildEntry(HELLO, join(dir, 'hello'));
    const times = new Map<string, number[]>();
    const subjects: [string, string, Record<string, string>][] = [
      ['hello', hello.file, functionEnvironment()],
      ...built.map(([entryPoint, b]): [string, string, Record<string, string>] => [
        entryPoint,
        b.file,
        functionEnvironment(entryPoint),
      ]),
    ];
    for (const [, file, env] of subjects) importOnce(file, env); // warms the file cache
    for (let run = 0; run < runs; run++) {
      for (const [name, file, env] of subjects) times.set(name, [...(times.get(name) ?? []), importOnce(file, env)]);
    }
    const helloMs = median(times.get('hello')!);
    return {
      hello: { kb: hello.totalBytes / 1024, importMs: helloMs },
      rows: built.map(([entryPoint, b]) => {
        const importMs = median(times.get(entryPoint)!);
        return { entryPoint, kb: b.totalBytes / 1024, loadedKb: b.loadedBytes / 1024, importMs, ratio: importMs / helloMs };
      }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The bench's report lines. */
export async function benchBundles(): Promise<string[]> {
  const { hello, rows } = await measureBundles();
  const pad = (s: string) => s.padEnd(24);
  return [
    `bundles: all chunks KB, KB loaded on import, import ms (median, fresh node each), ratio to hello world`,
    `  ${pad('hello world')}${hello.kb.toFixed(1).padStart(7)} KB ${''.padStart(10)} ${hello.importMs.toFixed(1).padStart(7)} ms`,
    ...rows.map(
      (r) =>
        `  ${pad(r.entryPoint)}${r.kb.toFixed(1).padStart(7)} KB ${r.loadedKb.toFixed(1).padStart(7)} KB ${r.importMs.toFixed(1).padStart(7)} ms ${r.ratio.toFixed(2).padStart(6)}x`,
    ),
    `  largest ${Math.max(...rows.map((r) => r.kb)).toFixed(1)} KB (${Math.max(...rows.map((r) => r.loadedKb)).toFixed(1)} KB loaded), slowest ${Math.max(...rows.map((r) => r.ratio)).toFixed(2)}x`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${(await benchBundles()).join('\n')}\n`);
}
