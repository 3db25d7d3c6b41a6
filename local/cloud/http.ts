import type { Server } from 'node:http';

/** Listens on 127.0.0.1 and resolves once bound. */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Closes a server: stops accepting, lets requests in flight finish (up to `drainMs`) so a store behind
 * the server is not closed under a request still writing to it, then drops the keep-alive sockets SDK
 * clients hold so nothing keeps the process up.
 */
export async function closeServer(server: Server, drainMs = 3_000): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) =>
      error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(error) : resolve(),
    );
  });
  const deadline = Date.now() + drainMs;
  for (;;) {
    server.closeIdleConnections();
    const open = await new Promise<number>((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
    if (open === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  server.closeAllConnections();
  await closed;
}
