import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The embedded stack as a user runs it: `onboard start` in a child process, on a data folder of its own. */

export interface StackPorts {
  api: number;
  straitsx: number;
  wallex: number;
  straddle: number;
}

/** What a running stack tells its operators through its data folder. */
export interface StackInfo {
  apiUrl: string;
  env: Record<string, string>;
  secrets: {
    straitsx: { apiKey: string };
    straddle: { apiKey: string };
    wallex: { apiKey: string; accessKeyId: string; secretAccessKey: string };
  };
}

/** A free loopback port (released before it is used: good enough on a test machine). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

export async function freePorts(): Promise<StackPorts> {
  return { api: await freePort(), straitsx: await freePort(), wallex: await freePort(), straddle: await freePort() };
}

/** One `onboard start` process. */
export class StackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<number | null>,
    readonly info: StackInfo,
  ) {}

  /** Starts the stack and resolves once it serves (its banner is printed), or rejects with its output. */
  static async start(options: {
    dataDir: string;
    ports: StackPorts;
    faults?: string;
    retryScale?: number;
    /** Appended to with the process's output, for a failing run. */
    logFile: string;
  }): Promise<StackProcess> {
    const args = [
      '--import',
      'tsx',
      resolve('local/cli.ts'),
      'start',
      '--data',
      options.dataDir,
      '--port',
      String(options.ports.api),
      '--straitsx-port',
      String(options.ports.straitsx),
      '--wallex-port',
      String(options.ports.wallex),
      '--straddle-port',
      String(options.ports.straddle),
    ];
    if (options.faults) args.push('--faults', options.faults);
    if (options.retryScale !== undefined) args.push('--retry-scale', String(options.retryScale));
    // One node process, no tsx wrapper: SIGKILL must hit the process that holds the state.
    const child = spawn(process.execPath, args, {
      cwd: resolve('.'),
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`\n--- start ${new Date().toISOString()} ${args.slice(3).join(' ')}\n`);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    let output = '';
    const ready = new Promise<void>((res, rej) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Onboarding stack running')) res();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      void exited.then((code) => rej(new Error(`the stack exited (${code}) before it served:\n${output.slice(-4000)}`)));
      setTimeout(() => rej(new Error(`the stack did not start in 90 s:\n${output.slice(-4000)}`)), 90_000).unref();
    });
    await ready;
    const env = JSON.parse(readFileSync(join(options.dataDir, 'runtime.json'), 'utf8')) as Record<string, string>;
    const secrets = JSON.parse(readFileSync(join(options.dataDir, 'secrets.json'), 'utf8')) as StackInfo['secrets'];
    return new StackProcess(child, exited, { apiUrl: `http://127.0.0.1:${options.ports.api}`, env, secrets });
  }

  /** kill -9: no shutdown code runs. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Ctrl-C as a user presses it. */
  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}
