import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { closeServer } from './http';

export interface LocalS3Options {
  /** Buckets created when missing. */
  buckets: string[];
  /** Folder kept between restarts; a temporary folder (removed on stop) when omitted. */
  directory?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface LocalS3 {
  /**
   * `http://127.0.0.1:<port>`: with an IP address as endpoint the SDK addresses buckets path-style
   * (`/<bucket>/<key>`) without `forcePathStyle`, which is what s3rver serves.
   */
  endpoint: string;
  directory: string;
  /** Calls the listener with an S3 event notification (the shape S3 sends to Lambda) for each object change. */
  onEvent(listener: (event: S3Event) => void): void;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with the buckets in place. */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const temporary = !options.directory;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'local-s3-'));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory,
    silent: true,
    // Virtual-hosted names would need DNS for `<bucket>.127.0.0.1`; path-style only.
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    // s3rver emits notifications in S3's own event shape: the local stand-in for bucket notifications.
    onEvent: (listener) => {
      (server as unknown as { on(name: string, fn: (event: S3Event) => void): void }).on('event', (event) =>
        listener({ Records: JSON.parse(JSON.stringify(event.Records)) }),
      );
    },
    async stop() {
      if (server.httpServer) await closeServer(server.httpServer);
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}
