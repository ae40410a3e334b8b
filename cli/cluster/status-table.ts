// `xorsim cluster status`: one row per node — its pid and whether it runs,
// its addresses, this start's boot number, where it stands in the group (a
// primary's membership and restore; the parity array's members and rebuild)
// and its links to its peers — from the pid files and each node's admin socket.
import type { AdminReply } from '../../src/real/admin-socket.js';
import { adminRequest } from '../../src/real/admin-socket.js';
import { type ClusterConfig, clusterNodes, formatEndpoint, nodeFiles } from '../../src/real/cluster-config.js';
import { logOf, runningPid } from './processes.js';

export interface NodeRow {
  readonly name: string;
  readonly role: string;
  readonly pid: number | undefined;
  readonly status: AdminReply | undefined;
}

/** Every node's pid and, if it runs, its own status. */
export async function clusterRows(cluster: ClusterConfig, run: string): Promise<NodeRow[]> {
  return Promise.all(
    clusterNodes(cluster).map(async (n) => {
      const pid = runningPid(run, n.name);
      const status = pid === undefined ? undefined : await adminRequest(nodeFiles(n.dir).admin, 'status', 2000);
      return { name: n.name, role: n.role, pid, status };
    }),
  );
}

export function formatStatus(cluster: ClusterConfig, run: string, rows: readonly NodeRow[]): string {
  const header = ['node', 'role', 'pid', 'state', 'address', 'nbd', 'boot', 'group', 'links'];
  const lines = rows.map((r) => {
    const spec = clusterNodes(cluster).find((n) => n.name === r.name)!;
    const s = r.status?.ok === true ? r.status : undefined;
    const state = r.pid === undefined ? 'down' : s === undefined ? `not answering (${r.status?.ok === false ? r.status.error : '?'})` : String(s['state']);
    const links = s === undefined ? '' : Object.entries(s['links'] as Record<string, string>).map(([p, up]) => `${p} ${up}`).join(', ');
    return [r.name, r.role, r.pid === undefined ? '-' : String(r.pid), state, formatEndpoint(spec.address), spec.role === 'primary' ? formatEndpoint(spec.nbd) : '-', s === undefined ? '-' : String(s['boot']), s === undefined ? '' : group(s), links];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const running = rows.filter((r) => r.status?.ok === true).length;
  return [`cluster ${cluster.name} (${cluster.file}): ${running} of ${rows.length} nodes running`, row(header), ...lines.map(row), groupLine(rows), `logs: ${logOf(run, '<node>')}`].join('\n');
}

/** The group as the running primaries say (each knows its own membership; parity's journal is not asked). */
function groupLine(rows: readonly NodeRow[]): string {
  const by = new Map<string, string[]>();
  for (const r of rows) {
    if (r.role !== 'primary') continue;
    const m = r.status?.ok === true ? String(r.status['membership']) : 'unknown (down)';
    by.set(m, [...(by.get(m) ?? []), r.name]);
  }
  return `group: ${[...by].map(([m, names]) => `${m} ${names.join(' ')}`).join('; ')}`;
}

/** Where a node stands in the group, as its own status says. */
function group(s: Record<string, unknown>): string {
  if (s['role'] === 'primary') {
    const lost = Number(s['lostReported']) > 0 ? `, ${s['lostReported']} blocks reported lost` : '';
    return `${String(s['membership'])}${s['restoring'] === true ? ', restoring' : ''}${lost}`;
  }
  const rebuild = s['rebuildPending'] as string[];
  return rebuild.length > 0 ? `rebuilding: ${rebuild.join(' ')} still to merge` : '';
}
