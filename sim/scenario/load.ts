// Reading and validating a scenario: from text to a ResolvedScenario, or to
// problems that each name the file, the field and what is wrong.
//
// File access lives in the CLI (cli/io.ts): this module only parses
// text, so the simulation path does no real I/O.
import type { z } from 'zod';
import { unknownFieldHint } from './field-hints.js';
import { ScenarioSchema } from './schema.js';
import { meant } from './suggest.js';
import { type ResolvedScenario, isProblem, resolveScenario } from './resolve.js';

export interface ScenarioProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export type LoadResult = { readonly ok: true; readonly scenario: ResolvedScenario } | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

export function parseScenarioText(file: string, text: string): LoadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ file, path: '', message: `not valid JSON: ${withLineColumn((error as Error).message, text)}` }] };
  }
  return parseScenarioValue(file, json);
}

export function parseScenarioValue(file: string, json: unknown): LoadResult {
  const parsed = ScenarioSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => describeIssue(file, issue)) };
  const resolved = resolveScenario(parsed.data);
  if (isProblem(resolved)) return { ok: false, problems: [{ file, ...resolved }] };
  return { ok: true, scenario: resolved };
}

/** "scenarios/x.json: workload.iodepth: expected an integer ≥ 1, got 0" */
export function formatProblem(p: ScenarioProblem): string {
  return p.path === '' ? `${p.file}: ${p.message}` : `${p.file}: ${p.path}: ${p.message}`;
}

/** One zod issue as a problem naming the file and field; `schema` (the scenario's by default) gives the hints for unknown fields. */
export function describeIssue(file: string, issue: z.core.$ZodIssue, schema: z.ZodType = ScenarioSchema): ScenarioProblem {
  const path = formatPath(issue.path);
  const got = 'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return { file, path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${unknownFieldHint(issue.path, issue.keys[0]!, path, issue.input, schema)}` };
    case 'invalid_type':
      return { file, path, message: issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}${got}` };
    case 'too_small':
      return { file, path, message: `${issue.message.replace(/^Too small: /, '')}${got}` };
    case 'too_big':
      return { file, path, message: `${issue.message.replace(/^Too big: /, '')}${got}` };
    case 'invalid_value':
      return { file, path, message: valueMessage(issue.input, issue.values.map(String)) ?? `${issue.message}${got}` };
    case 'invalid_union':
      return { file, path, message: discriminatorMessage(issue) ?? `does not match any accepted form${got}` };
    default:
      return { file, path, message: issue.message.includes(', got ') ? issue.message : `${issue.message}${got}` };
  }
}

/** A union told apart by one field (a fault's "do", a disk's "model") given a value it does not know: the values it knows. */
function discriminatorMessage(issue: z.core.$ZodIssue): string | undefined {
  const i = issue as { note?: string; discriminator?: string; options?: unknown[]; input?: unknown };
  if (i.note !== 'No matching discriminator' || i.discriminator === undefined || !Array.isArray(i.options)) return undefined;
  const value = typeof i.input === 'object' && i.input !== null ? (i.input as Record<string, unknown>)[i.discriminator] : undefined;
  // An undefined option: the field may be left out (its default).
  return valueMessage(value, i.options.filter((o) => o !== undefined).map(String));
}

/** 'unknown value "hardend" (did you mean "hardened"?); expected one of "literal", "hardened"' */
function valueMessage(value: unknown, options: readonly string[]): string | undefined {
  if (value !== undefined && typeof value !== 'string') return undefined;
  const near = typeof value === 'string' ? meant(value, options) : [];
  const what = value === undefined ? 'missing' : `unknown value ${JSON.stringify(value)}`;
  return `${what}${near.length > 0 ? ` (did you mean ${near.map((o) => `"${o}"`).join(' or ')}?)` : ''}; expected one of ${options.map((o) => `"${o}"`).join(', ')}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

/** V8 reports "at position N"; people count lines and columns. */
export function withLineColumn(message: string, text: string): string {
  const m = /^(.*?) in JSON at position (\d+)/.exec(message);
  if (m === null) return message;
  const before = text.slice(0, Number(m[2]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${m[1]} at line ${line}, column ${column}`;
}
