// xorsim node <cluster file> --name N [--init | --replace [--members a,b]]:
// runs one node of a real cluster (src/real/node-runtime.ts) until SIGTERM or
// SIGINT (a graceful stop, exit 0), a `stop` or `fail` order on its admin
// socket, or a crash of its controller (exit 1). Its log goes to stdout, one
// line per event. `xorsim cluster up` runs one of these per node, detached.
import type { Argv } from 'yargs';
import { NodeRuntime, NodeSetupError } from '../../src/real/node-runtime.js';
import { loadClusterFile } from '../cluster/cluster-file.js';
import { withHelp } from '../help.js';
import { UsageError } from '../usage-error.js';

export function nodeCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'node <cluster>',
    'run one node of a real cluster (files, TCP, an NBD export for a primary) until stopped',
    (y) =>
      withHelp(
        y
          .positional('cluster', { type: 'string', demandOption: true, describe: 'the cluster file (docs/RUNNING.md#run-a-cluster)' })
          .option('name', { type: 'string', demandOption: true, describe: 'which node of the cluster file this is' })
          .option('init', { type: 'boolean', default: false, describe: 'install the node of a new cluster (its directory holds nothing yet)' })
          .option('replace', { type: 'boolean', default: false, describe: 'start on a replacement array (the old one failed): a primary is restored from parity, parity rebuilt from --members' })
          .option('members', { type: 'string', describe: 'with --replace on the parity node: the primaries of the group, comma-separated' }),
        [
          ['$0 node docs/examples/cluster.json --name p1', 'run node p1 (installed already)'],
          ['$0 node docs/examples/cluster.json --name parity --replace --members p1,p2,p3,p4', 'a replaced parity array, rebuilt from four members'],
        ],
      ),
    async (argv) => {
      const cluster = loadClusterFile(argv.cluster);
      if (argv.init && argv.replace) throw new UsageError('--init and --replace: give one (a new cluster\'s node, or a replacement array)');
      if (argv.members !== undefined && !argv.replace) throw new UsageError('--members: only with --replace (a replaced parity array)');
      const members = argv.members === undefined ? undefined : argv.members.split(',').filter((m) => m !== '');
      let node: NodeRuntime;
      try {
        node = await NodeRuntime.start({
          cluster,
          name: argv.name,
          mode: argv.init ? 'init' : argv.replace ? 'replace' : 'run',
          ...(members !== undefined && { members }),
          print: (line) => console.log(line),
          exit: (code) => process.exit(code),
        });
      } catch (error) {
        if (error instanceof NodeSetupError) throw new UsageError(error.message);
        throw error;
      }
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void node.stop(signal));
      done(0); // the node runs on; it ends the process itself
    },
  );
}
