import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Lambda function is bundled, defined once: CDK's NodejsFunction (which passes these to the
 * esbuild CLI) and {@link buildHandler} (esbuild's JS API, for the bundle-size test and the bench) read
 * the same values, so what is measured is what is deployed.
 */

/** The repository root: esbuild runs there, so the relative alias paths below resolve the same way. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the Lambda entry points live: `functions/handlers/<name>.ts`. */
export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/** esbuild's target: the major of the Lambda runtime. */
export const BUNDLE_TARGET = 'node24';
/** Some bundled CommonJS dependencies call require(); an ESM bundle has no require of its own. */
const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
/** ESM entries first: they tree-shake where the CommonJS builds cannot. */
const MAIN_FIELDS = ['module', 'main'];

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

/** The bundling props of NodejsFunction. The AWS SDK is bundled: the version the code was tested with. */
export function cdkBundling(): BundlingOptions {
  return {
    minify: true,
    // The .map sits next to index.mjs without a sourceMappingURL comment: Node never reads it on import.
    sourceMap: true,
    sourceMapMode: SourceMapMode.EXTERNAL,
    // Positions are all a stack trace needs; the sources themselves would triple the map.
    sourcesContent: false,
    format: OutputFormat.ESM,
    target: BUNDLE_TARGET,
    mainFields: MAIN_FIELDS,
    banner: BANNER,
    externalModules: [],
    esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
  };
}

/** One handler's bundle as built by {@link buildHandler}. */
export interface BuiltHandler {
  /** The handler file's name under functions/handlers, without `.ts`. */
  readonly handler: string;
  /** The bundle, `index.mjs` as in the deployed asset. */
  readonly file: string;
  /** Its size in bytes (the .map aside). */
  readonly bytes: number;
  /** Bytes per input path as esbuild's metafile reports them: what the bundle is made of. */
  readonly inputs: Readonly<Record<string, number>>;
}

/**
 * Builds one handler into `outdir/index.mjs` (+ `index.mjs.map`) exactly as CDK does, with esbuild's
 * JS API: the same options as {@link cdkBundling} in their JS spelling.
 */
export async function buildHandler(handler: string, outdir: string): Promise<BuiltHandler> {
  return { ...(await buildEntry(join(HANDLERS_DIR, `${handler}.ts`), outdir)), handler };
}

/** Builds any entry file the way {@link buildHandler} builds a handler (the bench's hello world). */
export async function buildEntry(entry: string, outdir: string): Promise<BuiltHandler> {
  const { build } = await import('esbuild');
  await mkdir(outdir, { recursive: true });
  const file = join(outdir, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: BANNER },
    alias: { ...BUNDLE_ALIASES },
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  const inputs = Object.fromEntries(
    Object.entries(output?.inputs ?? {}).map(([path, { bytesInOutput }]) => [path, bytesInOutput]),
  );
  return { handler: entry, file, bytes: (await stat(file)).size, inputs };
}
