// Shared by tests: small scenarios built in code.
import type { MessageHandler, NodeId, Transport } from '../src/ports/transport.js';
import { decode, encode } from '../src/protocol/codec.js';
import type { Engine } from '../sim/engine/engine.js';
import { parseScenarioValue } from '../sim/scenario/load.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';

export function scenario(overrides: Record<string, unknown> = {}): ResolvedScenario {
  const base = {
    name: 'test',
    primaries: { count: 3, blocks: 256 },
    prefill: 0.5,
    workload: { duration: '200ms', iodepth: 4, thinkTime: '500us', readFraction: 0.3 },
  };
  const result = parseScenarioValue('test-scenario', { ...base, ...overrides });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.scenario;
}

/**
 * A network on the engine for tests that script one side of the protocol: each message crosses the codec
 * (as a peer's would) and arrives 50 µs after it is sent. Returns each node's transport.
 */
export function engineNetwork(e: Engine): (self: NodeId) => Transport {
  const handlers = new Map<NodeId, MessageHandler>();
  return (self) => ({
    self,
    send: (to, m) => void e.after(50, e.trace.kind('net'), () => void handlers.get(to)?.(self, decode(encode(m)))),
    listen: (h) => void handlers.set(self, h),
  });
}
