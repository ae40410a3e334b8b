// The built-in controllers (literal and hardened, by the scenario's protocol)
// as a controller module: the same shape a user's `--controllers` module has
// (controller-api.ts), so the simulator builds every controller one way.
import type { ControllerModule } from './controller-api.js';
import { LiteralParity } from './parity/literal-parity.js';
import { ParityController } from './parity/parity-controller.js';
import { LiteralPrimary } from './primary/literal-primary.js';
import { PrimaryController } from './primary/primary-controller.js';
import { NO_BUGS, type PlantedBugs } from './protocol/planted-bugs.js';

/** `bugs`: planted mutations, for the checker's self-test only. */
export function builtinControllers(bugs: PlantedBugs = NO_BUGS): ControllerModule {
  return {
    primary(ports, config) {
      if (config.protocol === 'literal') {
        // The claims as written (planted bugs are mutations of hardened: literal takes none).
        const literal = new LiteralPrimary({ ...ports, parity: config.parity, member: config.member });
        literal.onRestored = () => ports.report.restored();
        return literal;
      }
      const controller = new PrimaryController({
        ...ports,
        parity: config.parity,
        ackPolicy: config.ackPolicy,
        retransmit: config.retransmit,
        member: config.member,
        left: config.left,
        bugs,
      });
      controller.onBlockLost = (block) => ports.report.blockLost(block);
      controller.onRestored = () => ports.report.restored();
      return controller;
    },
    parity(ports, config) {
      if (config.protocol === 'literal') {
        const literal = new LiteralParity({ ...ports, retransmit: config.retransmit, members: config.members, peers: config.peers });
        literal.onLeft = (member) => ports.report.left(member);
        literal.onJoined = (member) => ports.report.joined(member);
        return literal;
      }
      const controller = new ParityController({
        ...ports,
        retransmit: config.retransmit,
        bugs,
        members: config.members,
        peers: config.peers,
      });
      controller.onLeft = (member) => ports.report.left(member);
      controller.onJoined = (member) => ports.report.joined(member);
      return controller;
    },
  };
}
