// Loads a scenario file for a command, or throws a UsageError naming the file,
// the field and the problem.
import { formatProblem, parseScenarioText } from '../sim/scenario/load.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';
import { readText } from './io.js';
import { UsageError } from './usage-error.js';

export function loadScenarioFile(file: string): ResolvedScenario {
  const result = parseScenarioText(file, readText(file));
  if (result.ok) return result.scenario;
  const [first, ...more] = result.problems;
  const tail = more.length > 0 ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''}: run \`xorsim validate ${file}\`)` : '';
  throw new UsageError(formatProblem(first!) + tail);
}
