// xorsim cluster <init|up|down|status|fail|replace|join|leave> <cluster file> [node]:
// a local cluster of node processes for trying it by hand (cli/cluster/).
import type { Argv } from 'yargs';
import { meant } from '../../sim/scenario/suggest.js';
import { fail, init, order, replace, status, up, down, type ClusterContext } from '../cluster/actions.js';
import { loadClusterFile } from '../cluster/cluster-file.js';
import { runDirOf } from '../cluster/processes.js';
import { intOptionOr } from '../flags.js';
import { withHelp } from '../help.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['init', 'up', 'down', 'status', 'fail', 'replace', 'join', 'leave'] as const;
const WITH_NODE: readonly string[] = ['fail', 'replace', 'join', 'leave'];

export function clusterCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'cluster <action> <cluster> [node]',
    'start, stop and inspect a local cluster of nodes; fail, replace, join, leave',
    (y) =>
      withHelp(
        y
          .positional('action', { type: 'string', demandOption: true, describe: 'init: make the key files (0600) · up: start every node (a new cluster: init first if need be) not running · down: stop them · status: a table · fail NODE: its array fails (node stopped, image, sidecar, journal deleted) · replace NODE: start it on a new array (restore; parity: rebuild) · join NODE, leave NODE' })
          .positional('cluster', { type: 'string', demandOption: true, describe: 'the cluster file' })
          .positional('node', { type: 'string', describe: 'the node, for fail, replace, join and leave' })
          .option('dir', { type: 'string', describe: 'where pids and logs go (default: <cluster file without .json>.run/ beside it)' })
          .option('timeout', intOptionOr('timeout', 'seconds to wait for a node to start, to stop after SIGTERM (then SIGKILL), or for --wait', { min: 1, max: 86_400 }, 30))
          .option('rotate', { type: 'boolean', default: false, describe: 'init: replace the key files by new keys (every node stopped first; hosts need the new hosts\' file)' })
          .option('wait', { type: 'boolean', default: false, describe: 'replace, join, leave: return once the restore, rebuild, join or leave is done' }),
        [
          ['$0 cluster init docs/examples/cluster.json', 'make the cluster\'s key files (docs/RUNNING.md#security)'],
          ['$0 cluster up docs/examples/cluster.json', 'start a 4+1 cluster on 127.0.0.1 (NBD on ports 10809-10812)'],
          ['$0 cluster fail docs/examples/cluster.json p2', 'p2\'s array fails'],
          ['$0 cluster replace docs/examples/cluster.json p2 --wait', 'p2 on a new array, restored from parity'],
          ['$0 cluster status docs/examples/cluster.json', 'pids, ports, boot numbers, membership'],
          ['$0 cluster down docs/examples/cluster.json', 'stop every node'],
        ],
      ),
    async (argv) => {
      const action = argv.action as (typeof ACTIONS)[number];
      if (!ACTIONS.includes(action)) {
        const near = meant(argv.action, ACTIONS);
        throw new UsageError(`cluster: unknown action "${argv.action}"${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; actions: ${ACTIONS.join(', ')}`);
      }
      const node = argv.node;
      if (WITH_NODE.includes(action) && node === undefined) throw new UsageError(`cluster ${action}: name the node (e.g. \`xorsim cluster ${action} ${argv.cluster} p1\`)`);
      if (!WITH_NODE.includes(action) && node !== undefined) throw new UsageError(`cluster ${action}: takes no node (got "${node}")`);
      const cluster = loadClusterFile(argv.cluster);
      const ctx: ClusterContext = { cluster, run: runDirOf(cluster, argv.dir), timeoutMs: argv.timeout * 1000, out: (l) => console.log(l), err: (l) => console.error(l) };
      if (action === 'init') return done(init(ctx, argv.rotate));
      if (action === 'up') return done(await up(ctx));
      if (action === 'down') return done(await down(ctx));
      if (action === 'status') return done(await status(ctx));
      if (action === 'fail') return done(await fail(ctx, node!));
      if (action === 'replace') return done(await replace(ctx, node!, argv.wait));
      return done(await order(ctx, node!, action, argv.wait));
    },
  );
}
