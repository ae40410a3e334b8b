// The world's own trace records, made from its event stream: each controller
// life begun or ended (`node.life`) and each restore completed, with the
// blocks the restored array reported lost (`node.restored`). Subscribed
// before anything else, so each record comes before whatever the event
// makes others do — as when the world wrote them itself.
import type { Engine } from '../engine/engine.js';
import type { WorldEvents } from './world-events.js';

export function traceWorld(engine: Engine, events: WorldEvents, lostBlocks: (array: string) => ReadonlySet<number>): void {
  const t = engine.trace;
  const kLife = t.kind('node.life', ['incarnation', 'alive']);
  const kRestored = t.kind('node.restored', ['lost']);
  events.on('node-life', (e) => t.record(engine.now, kLife, t.actor(e.array), e.incarnation, e.alive ? 1 : 0));
  events.on('restored', (e) => t.record(engine.now, kRestored, t.actor(e.array), lostBlocks(e.array).size));
}
