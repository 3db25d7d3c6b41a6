import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * CloudWatch Logs for one machine: the functions' structured log lines (Powertools JSON and metric
 * records) are taken off stdout, kept in memory for inspection and appended to a file, so the terminal
 * shows what the local runtime itself prints.
 */
export interface LogCapture {
  /** Every captured line, in order. */
  lines(): string[];
  /** Forgets captured lines (the file keeps them). */
  clear(): void;
  /** Puts stdout back as it was. */
  stop(): void;
}

const isFunctionLog = (text: string) =>
  text.startsWith('{"level":') || text.startsWith('{"_aws":') || text.startsWith('{"cold_start"');

/** Starts capturing the functions' log lines from stdout and stderr. */
export function captureFunctionLogs(options: { file?: string; echo?: boolean } = {}): LogCapture {
  const captured: string[] = [];
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index]!;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (text && isFunctionLog(text.trimStart())) {
        for (const line of text.split('\n').filter(Boolean)) captured.push(line);
        if (options.file) appendFileSync(options.file, text.endsWith('\n') ? text : `${text}\n`);
        if (!options.echo) {
          const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
      }
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    lines: () => [...captured],
    clear: () => {
      captured.length = 0;
    },
    stop: () => {
      streams.forEach((stream, index) => {
        stream.write = originals[index]!;
      });
    },
  };
}
