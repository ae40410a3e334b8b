// What to say about a field the schema does not know: the field meant (a
// near spelling here, or the same name deeper down: `disk.rpm` is
// `disk.drive.rpm`), and the fields allowed where it stands. Read from the
// editor JSON Schema that zod derives from the scenario schema (or another
// file's schema: the cluster file's), so the hints cannot drift from what is
// accepted.
import { z } from 'zod';
import { ScenarioSchema } from './schema.js';
import { closest } from './suggest.js';

interface Node {
  readonly properties?: Readonly<Record<string, Node>>;
  readonly const?: unknown;
  readonly default?: unknown;
  readonly items?: Node;
  readonly oneOf?: readonly Node[];
  readonly anyOf?: readonly Node[];
  readonly allOf?: readonly Node[];
}

const roots = new WeakMap<z.ZodType, Node>();
function rootOf(schema: z.ZodType): Node {
  let root = roots.get(schema);
  if (root === undefined) roots.set(schema, (root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Node));
  return root;
}

/** A node and its alternatives (unions), flattened. */
function alternatives(node: Node): Node[] {
  const nested = [...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])];
  return [node, ...nested.flatMap(alternatives)];
}

/** Every schema node a path (as zod reports it) can reach. */
function nodesAt(schema: z.ZodType, path: readonly PropertyKey[]): Node[] {
  let nodes = alternatives(rootOf(schema));
  for (const key of path) {
    nodes = nodes.flatMap((n) => {
      const next = typeof key === 'number' ? n.items : n.properties?.[String(key)];
      return next === undefined ? [] : alternatives(next);
    });
  }
  return nodes;
}

/** Of a union's alternatives, those `input` is one of (its "model" or "do" matches; left out, the default). */
function matching(nodes: Node[], input: unknown): Node[] {
  if (typeof input !== 'object' || input === null) return nodes;
  const given = input as Record<string, unknown>;
  const fits = (n: Node) =>
    Object.entries(n.properties ?? {}).every(([k, p]) => !('const' in p) || (given[k] === undefined ? p.default === p.const : given[k] === p.const));
  const fit = nodes.filter((n) => n.properties === undefined || fits(n));
  return fit.some((n) => n.properties !== undefined) ? fit : nodes;
}

/** The field names allowed at `path` (for this `input`, when a union tells its forms apart), in schema order. */
export function fieldsAt(path: readonly PropertyKey[], input?: unknown, schema: z.ZodType = ScenarioSchema): string[] {
  return [...new Set(matching(nodesAt(schema, path), input).flatMap((n) => Object.keys(n.properties ?? {})))].filter((k) => k !== '$schema');
}

/** Where below `path` a field named `key` lives (breadth first), as a dotted path; undefined if nowhere. */
function deeper(schema: z.ZodType, path: readonly PropertyKey[], key: string, input: unknown): string | undefined {
  let level: { nodes: Node[]; at: string[] }[] = [{ nodes: matching(nodesAt(schema, path), input), at: [] }];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: { nodes: Node[]; at: string[] }[] = [];
    for (const { nodes, at } of level) {
      for (const n of nodes) {
        for (const [name, child] of Object.entries(n.properties ?? {})) {
          if (depth > 0 && name === key) return [...at, name].join('.');
          next.push({ nodes: alternatives(child.items ?? child), at: [...at, name] });
        }
      }
    }
    level = next;
  }
  return undefined;
}

/** " (did you mean disk.drive.rpm?; fields here: model, drives, …)" for unknown field `key` at `path`. */
export function unknownFieldHint(path: readonly PropertyKey[], key: string, pathText: string, input?: unknown, schema: z.ZodType = ScenarioSchema): string {
  const here = fieldsAt(path, input, schema);
  const near = closest(key, here);
  const below = near === undefined ? deeper(schema, path, key, input) : undefined;
  const meant = near !== undefined ? `did you mean "${near}"?` : below !== undefined ? `did you mean ${pathText === '' ? '' : `${pathText}.`}${below}?` : undefined;
  const list = here.length > 0 ? `fields here: ${here.join(', ')}` : undefined;
  const parts = [meant, list].filter((x) => x !== undefined);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}
