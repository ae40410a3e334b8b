// A member of the parity group as parity knows it: its name and its size. Its
// own file, so the group's parts (joiner, leaver, builder, restorer) name it
// without importing the group that holds them.
import type { NodeId } from '../ports/transport.js';

export interface Member {
  readonly name: NodeId;
  readonly blockCount: number;
}
