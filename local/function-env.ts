import { AsyncLocalStorage } from 'node:async_hooks';
import { CONFIGURED_VARIABLES } from '../manifest/environment';

/**
 * Gives each in-process function only the environment its CDK function gets.
 *
 * All functions share one process here, and handlers read `process.env` both when their modules load and
 * on every call, through shared modules (functions/shared/env.ts, Powertools, the AWS SDK) that cannot be
 * told which function they serve. So `process.env` itself is made to answer per function: an
 * AsyncLocalStorage holds the running function's variables, follows its work across awaits, timers and
 * callbacks, and a proxy over the real environment consults it. Within a function, a stack variable the
 * function does not declare reads as unset, as on Lambda; everything else (AWS endpoints, region and
 * credentials of the local cloud, PATH, tuning such as STRAITSX_RATE_PER_SECOND) passes through, since
 * that is the seam to this machine rather than the function's configuration. Outside any function (the
 * servers, the sandboxes, tests) the environment is the real one, unchanged.
 *
 * A declared variable set on the real environment wins over the function's own value: tests and
 * operators change a setting there (VERIFICATION_TIMEOUT_SECONDS) while the stack runs.
 */
const running = new AsyncLocalStorage<Readonly<Record<string, string>>>();
const configured = new Set(CONFIGURED_VARIABLES);

let installs = 0;
let realEnv: NodeJS.ProcessEnv | undefined;

/** The value `name` has for the running function, or the real one outside functions. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const own = running.getStore();
  if (own === undefined || !configured.has(name)) return env[name];
  if (!Object.hasOwn(own, name)) return undefined;
  return env[name] ?? own[name];
}

function proxyOver(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // An empty target: the proxy may then report keys and descriptors the real environment lacks.
  return new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, key) => (typeof key === 'string' ? read(env, key) : undefined),
    has: (_target, key) => typeof key === 'string' && read(env, key) !== undefined,
    set: (_target, key, value) => {
      if (typeof key === 'string') env[key] = value;
      return true;
    },
    deleteProperty: (_target, key) => {
      if (typeof key === 'string') delete env[key];
      return true;
    },
    ownKeys: () => {
      const own = running.getStore() ?? {};
      return [...new Set([...Object.keys(env), ...Object.keys(own)])].filter((key) => read(env, key) !== undefined);
    },
    getOwnPropertyDescriptor: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      const value = read(env, key);
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

/**
 * Makes `process.env` answer per function until the returned function is called. Nested calls (two
 * runtimes in one process) share one proxy; the real environment comes back after the last release.
 */
export function isolateFunctionEnvironments(): () => void {
  if (installs === 0) {
    realEnv = process.env;
    process.env = proxyOver(realEnv);
  }
  installs += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    installs -= 1;
    if (installs === 0 && realEnv !== undefined) {
      process.env = realEnv;
      realEnv = undefined;
    }
  };
}

/** Runs `work` (a module import or one invocation) as the function whose environment is `env`. */
export function runAsFunction<T>(env: Readonly<Record<string, string>>, work: () => T): T {
  return running.run(env, work);
}
