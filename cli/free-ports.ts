// Free TCP ports on the loopback interface, for a local cluster started by hand,
// by `bench --real`, or by a test.
import { createServer } from 'node:net';

/** `n` free TCP ports on 127.0.0.1 (held open together, so they differ, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
