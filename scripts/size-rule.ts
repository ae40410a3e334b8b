// Size (run by the lint in `npm test`): a file over 400 lines, or a function
// over 70, holds more than one reader can keep in mind — unless it says why in
// a comment: a file near its top ("Why over 400 lines: …"), a function just
// above it ("Why over 70 lines: …"). Most such functions are one switch or
// one pass whose cases share running state; the reason says so, and the next
// case added is a prompt to split.
import ts from 'typescript';

export const FILE_LINES = 400;
export const FUNCTION_LINES = 70;

export interface Oversized {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The comment text just above `node` (and, for a function passed or assigned, above its statement). */
function commentsAbove(text: string, node: ts.Node): string {
  let out = '';
  for (let n: ts.Node | undefined = node; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    out += (ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []).map((c) => text.slice(c.pos, c.end)).join('\n');
    if (ts.isStatement(n) || ts.isClassElement(n)) break;
  }
  return out;
}

export function oversized(file: string, text: string): Oversized[] {
  const out: Oversized[] = [];
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > FILE_LINES && !text.split('\n').slice(0, 40).join('\n').includes('Why over 400 lines:')) {
    out.push({ file, line: 1, message: `${lines} lines (over ${FILE_LINES}) and no "Why over 400 lines:" near the top` });
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n)) && n.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(n.getStart()).line;
      const length = source.getLineAndCharacterOfPosition(n.getEnd()).line - start + 1;
      if (length > FUNCTION_LINES && !commentsAbove(text, n).includes('Why over 70 lines:')) {
        const name = 'name' in n && n.name !== undefined ? (n.name as ts.Node).getText(source) : 'a function';
        out.push({ file, line: start + 1, message: `${name}: ${length} lines (over ${FUNCTION_LINES}) and no "Why over 70 lines:" just above it` });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}
