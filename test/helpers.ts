// Shared by tests: small scenarios built in code.
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
