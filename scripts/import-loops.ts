// Import loops (run by the lint in `npm test`): a loop makes a module's
// meaning depend on load order, and two files that need each other are one
// concept split badly. Rule: no loop at all, type imports included. (The World
// builds its parts; each part that needs the world names the narrow view of it
// that it uses — MediaWorld, PoweredWorld, CheckedWorld, … — and the World
// satisfies them all without the parts importing it.)
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

export interface ImportLoop {
  /** The files of the loop, sorted. */
  readonly files: readonly string[];
  /** Are all its imports type-only (erased when compiled)? */
  readonly typeOnly: boolean;
}

/** Relative imports and re-exports of `text`, resolved to repo paths, each with whether it is type-only. */
export function importsOf(rel: string, text: string): { target: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: { target: string; typeOnly: boolean }[] = [];
  for (const node of source.statements) {
    let spec: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(node)) {
      spec = node.moduleSpecifier;
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypeSpecifiers = named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && allTypeSpecifiers));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      spec = node.moduleSpecifier;
      typeOnly = node.isTypeOnly;
    }
    if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    out.push({ target: normalize(join(dirname(rel), spec.text)).replace(/\.js$/, '.ts'), typeOnly });
  }
  return out;
}

/** Every loop (strongly connected set of two or more files) among `files` (repo path → text). */
export function importLoops(files: ReadonlyMap<string, string>): ImportLoop[] {
  const edges = new Map<string, { target: string; typeOnly: boolean }[]>();
  for (const [rel, text] of files) edges.set(rel, importsOf(rel, text).filter((e) => files.has(e.target)));
  const loops = (keep: (e: { typeOnly: boolean }) => boolean) => components([...files.keys()], (v) => edges.get(v)!.filter(keep).map((e) => e.target));
  const valueLoops = loops((e) => !e.typeOnly).map((f) => f.join('\n'));
  return loops(() => true).map((f) => ({ files: f, typeOnly: !valueLoops.some((v) => v.split('\n').every((x) => f.includes(x))) }));
}

/** Tarjan's strongly connected components of two or more nodes, each sorted. */
function components(nodes: readonly string[], next: (v: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}
