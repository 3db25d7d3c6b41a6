import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, build, buildSync, type Metafile } from 'esbuild';

/**
 * How every Lambda function is bundled, defined once: the CDK construct (lib/constructs/function.ts)
 * bundles its asset with {@link buildHandlerSync}, the bundle-size test and the bench with
 * {@link buildHandler}; both call esbuild with {@link bundleOptions}, so what is measured is what is
 * deployed.
 *
 * Code splitting is on: `import()` of a bundled module becomes a separate chunk that Node loads when
 * the import runs. The registry loads each provider that way, and the SDK's own lazy imports stay lazy.
 * Without splitting esbuild inlines such a module behind a wrapper that keeps every export of everything
 * it reaches (the DynamoDB client alone grew from 30 to 76 KB), and Node still parses all of it on import.
 */

/** The repository root: esbuild runs there, so the relative alias paths below resolve the same way. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the Lambda entry points live: `functions/handlers/<name>.ts`. */
export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/** esbuild's target: the major of the Lambda runtime. */
export const BUNDLE_TARGET = 'node24';

/**
 * Modules swapped for smaller ones of ours in every bundle, relative to the project root.
 * - The SDK's default credential chain (SSO, INI files, web identity, process, IMDS and the STS/SSO
 *   clients they need) is about 80 KB of every bundle; on Lambda the credentials are always in the
 *   environment, so the bundles read them from there and nowhere else.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './functions/shared/env-credentials.ts',
};

/**
 * Environment every function gets on top of its own configuration. No `--enable-source-maps`: it makes
 * every cold start parse megabytes of maps; the logger maps a logged error's stack on the error path.
 */
export const BUNDLE_ENVIRONMENT: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: 'onboarding',
  POWERTOOLS_METRICS_NAMESPACE: 'Onboarding',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

/** The file Lambda loads: `index.handler` is the handler setting of every function. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

/** esbuild's options for one entry file written to `outdir`: `index.mjs`, its chunks and their maps. */
export function bundleOptions(entry: string, outdir: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: { index: entry },
    absWorkingDir: PROJECT_ROOT,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    // The .map files sit next to the code without a sourceMappingURL comment: Node never reads them on
    // import. Positions are all a stack trace needs; the sources themselves would triple the maps.
    sourcemap: 'external',
    sourcesContent: false,
    // ESM entries first: they tree-shake where the CommonJS builds cannot.
    mainFields: ['module', 'main'],
    // Some bundled CommonJS dependencies call require(); an ESM bundle has no require of its own.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    // The AWS SDK is bundled too: the version the code was tested with, and faster to import than the
    // runtime's copy (many CommonJS files).
    external: [],
    alias: { ...BUNDLE_ALIASES },
    metafile: true,
    logLevel: 'warning',
  };
}

/** One function's bundle: the files of its asset and what a cold start loads of them. */
export interface BuiltBundle {
  /** The entry file, `index.mjs`. */
  readonly file: string;
  /** Every .mjs of the asset (entry and chunks), in bytes: the bundle's size. */
  readonly totalBytes: number;
  /** The entry and the chunks it imports statically: what importing the function loads. */
  readonly loadedBytes: number;
  /** Bytes of each input in the entry's static chunks, by path: what a cold start is made of. */
  readonly loadedInputs: Readonly<Record<string, number>>;
}

/** Builds one handler (`functions/handlers/<name>.ts`) into `outdir`, as the deployed asset. */
export async function buildHandler(handler: string, outdir: string): Promise<BuiltBundle> {
  return buildEntry(join(HANDLERS_DIR, `${handler}.ts`), outdir);
}

/** Builds any entry file the way {@link buildHandler} builds a handler (the bench's hello world). */
export async function buildEntry(entry: string, outdir: string): Promise<BuiltBundle> {
  return describe(await build(bundleOptions(entry, outdir)), outdir);
}

/** The synchronous twin of {@link buildHandler}, for CDK's local bundling (which cannot await). */
export function buildHandlerSync(handler: string, outdir: string): BuiltBundle {
  return describe(buildSync(bundleOptions(join(HANDLERS_DIR, `${handler}.ts`), outdir)), outdir);
}

function describe(result: BuildResult<{ metafile: true }>, outdir: string): BuiltBundle {
  const totalBytes = readdirSync(outdir)
    .filter((name) => name.endsWith('.mjs'))
    .reduce((sum, name) => sum + statSync(join(outdir, name)).size, 0);
  const loaded = staticClosure(result.metafile);
  const loadedInputs: Record<string, number> = {};
  let loadedBytes = 0;
  for (const output of loaded) {
    loadedBytes += output.bytes;
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs))
      loadedInputs[path] = (loadedInputs[path] ?? 0) + bytesInOutput;
  }
  return { file: join(outdir, BUNDLE_ENTRY_FILE), totalBytes, loadedBytes, loadedInputs };
}

/** The entry output and every chunk it reaches through static imports. */
function staticClosure(metafile: Metafile): Metafile['outputs'][string][] {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => path.endsWith(`/${BUNDLE_ENTRY_FILE}`));
  const seen = new Set<string>(entry ? [entry] : []);
  const queue = [...seen];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && outputs[imported.path] && !seen.has(imported.path)) {
        seen.add(imported.path);
        queue.push(imported.path);
      }
    }
  }
  return [...seen].map((path) => outputs[path]!);
}
