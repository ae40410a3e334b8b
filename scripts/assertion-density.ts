// Assertions on the controllers' own state (run by the lint in `npm test`):
// every non-trivial function of src/primary and src/parity states at least one
// thing it relies on with `assert(...)` — TigerBeetle's rule, scaled down. A
// function is non-trivial when it branches or loops and has five statements or
// more; getters, one-line delegations and constructors that only wire parts are
// not. A function may instead say why it has none, in a comment just above it
// starting `unasserted:` (a parser, whose errors are DecodeErrors). A peer's message is never asserted on (it is checked and refused,
// src/protocol/peer-checks.ts): these assertions are about what the
// controller did itself.
import ts from 'typescript';

export interface Unasserted {
  readonly file: string;
  readonly name: string;
  readonly line: number;
}

const BRANCHES = new Set([ts.SyntaxKind.IfStatement, ts.SyntaxKind.ForStatement, ts.SyntaxKind.ForOfStatement, ts.SyntaxKind.ForInStatement, ts.SyntaxKind.WhileStatement, ts.SyntaxKind.DoStatement, ts.SyntaxKind.SwitchStatement, ts.SyntaxKind.ConditionalExpression]);

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.GetAccessorDeclaration;

function nameOf(fn: FunctionLike): string {
  if ((ts.isMethodDeclaration(fn) || ts.isFunctionDeclaration(fn) || ts.isGetAccessorDeclaration(fn)) && fn.name !== undefined) return fn.name.getText();
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  return '(inner function)';
}

/** Statements, branches and assertions of `fn`'s own body (nested named methods are counted on their own). */
function measure(body: ts.Node): { statements: number; branches: number; asserts: number } {
  let statements = 0;
  let branches = 0;
  let asserts = 0;
  const visit = (n: ts.Node): void => {
    if (n !== body && (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isClassDeclaration(n))) return;
    if (ts.isStatement(n) && !ts.isBlock(n)) statements++;
    if (BRANCHES.has(n.kind)) branches++;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'assert') asserts++;
    ts.forEachChild(n, visit);
  };
  visit(body);
  return { statements, branches, asserts };
}

/** The non-trivial functions and methods of one file with no assertion. */
export function unasserted(file: string, text: string): Unasserted[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Unasserted[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.body !== undefined) {
      const m = measure(n.body);
      const exempt = ts.getLeadingCommentRanges(text, n.getFullStart())?.some((c) => text.slice(c.pos, c.end).includes('unasserted:')) ?? false;
      if (m.branches > 0 && m.statements >= 5 && m.asserts === 0 && !exempt) out.push({ file, name: nameOf(n), line: source.getLineAndCharacterOfPosition(n.getStart()).line + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}
