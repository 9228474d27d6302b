/**
 * Recursive descent over the token list, for filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2):
 *
 *   filter    = orExpr
 *   orExpr    = andExpr *("or" andExpr)
 *   andExpr   = unary *("and" unary)
 *   unary     = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
 *   attrExp   = attrPath "pr" / attrPath compareOp compValue
 *   valuePath = attrPath "[" filter "]" ["." ATTRNAME attrTest]   ; no "[" inside the brackets
 *   patchPath = attrPath / attrPath "[" filter "]" ["." ATTRNAME]
 *
 * so `not` binds tighter than `and`, and `and` tighter than `or`. Errors are thrown as
 * {@link GrammarError} and turned into results at the entry points; nothing else is thrown.
 */

import type {
  AttrPath,
  CompareOp,
  ComparisonNode,
  CompValue,
  FilterNode,
  PatchPath,
  PresenceNode,
} from './ast.ts';
import type { Token } from './tokenizer.ts';

export class GrammarError extends Error {
  override readonly name = 'GrammarError';
}

type PathToken = Extract<Token, { kind: 'attrPath' }>;
type OpToken = Extract<Token, { kind: 'compareOp' }>;

/** Where a sub-filter sits: at the top, or inside the brackets of a value path. */
interface Scope {
  readonly bracket?: { readonly open: Token; readonly owner: PathToken };
}

const TOP: Scope = {};

// RFC 7644: "gt", "ge", "lt" and "le" on a boolean attribute are an invalidFilter; null has no order.
const ORDERING_OPS: ReadonlySet<CompareOp> = new Set<CompareOp>(['gt', 'ge', 'lt', 'le']);

export class Grammar {
  private readonly tokens: readonly Token[];
  private readonly maxDepth: number;
  /** "filter" or "path": how messages name the input. */
  private readonly noun: string;
  private index = 0;

  constructor(tokens: readonly Token[], maxDepth: number, noun: string) {
    this.tokens = tokens;
    this.maxDepth = maxDepth;
    this.noun = noun;
  }

  /** The whole input as one filter. */
  filter(): FilterNode {
    if (this.peek().kind === 'end') throw new GrammarError(`the ${this.noun} is empty`);
    const node = this.orExpr(TOP, 0);
    this.expectEnd('"and", "or"');
    return node;
  }

  /** The whole input as a PATCH path. */
  patchPath(): PatchPath {
    const first = this.peek();
    if (first.kind === 'end') throw new GrammarError(`the ${this.noun} is empty`);
    if (first.kind !== 'attrPath') {
      throw new GrammarError(`expected an attribute path at position ${first.start}, found ${this.describe(first)}`);
    }
    this.next();
    if (this.peek().kind !== '[') {
      this.expectEnd('"["');
      return { type: 'attrPath', attrPath: first.path };
    }
    const filter = this.bracketFilter(first, TOP, 0);
    const subAttr = this.peek().kind === '.' ? this.subAttrAfterBracket(first) : undefined;
    this.expectEnd(subAttr === undefined ? '"."' : undefined);
    return {
      type: 'valuePath',
      attrPath: first.path,
      filter,
      ...(subAttr !== undefined && { subAttr: subAttr.path.attr }),
    };
  }

  private orExpr(scope: Scope, depth: number): FilterNode {
    let left = this.andExpr(scope, depth);
    while (this.peek().kind === 'or') {
      this.next();
      left = { type: 'logical', op: 'or', left, right: this.andExpr(scope, depth) };
    }
    return left;
  }

  private andExpr(scope: Scope, depth: number): FilterNode {
    let left = this.unary(scope, depth);
    while (this.peek().kind === 'and') {
      this.next();
      left = { type: 'logical', op: 'and', left, right: this.unary(scope, depth) };
    }
    return left;
  }

  private unary(scope: Scope, depth: number): FilterNode {
    const token = this.peek();
    switch (token.kind) {
      case 'not': {
        this.next();
        const open = this.peek();
        if (open.kind !== '(') {
          throw new GrammarError(
            `expected "(" after "${token.text}" at position ${open.start}, found ${this.describe(open)}; write not (…)`,
          );
        }
        return { type: 'not', filter: this.group(scope, depth) };
      }
      case '(':
        return this.group(scope, depth);
      case 'attrPath':
        this.next();
        return this.attrExpression(token, scope, depth);
      default:
        throw new GrammarError(
          `expected an attribute path, "(" or "not" at position ${token.start}, found ${this.describe(token)}`,
        );
    }
  }

  /** `"(" filter ")"`; the caller has checked that the next token is "(". */
  private group(scope: Scope, depth: number): FilterNode {
    const open = this.next();
    this.enter(depth, open);
    const inner = this.orExpr(scope, depth + 1);
    this.expectClose(open, ')');
    return inner;
  }

  /** Everything that starts with an attribute path; `pathToken` has been consumed. */
  private attrExpression(pathToken: PathToken, scope: Scope, depth: number): FilterNode {
    if (scope.bracket !== undefined) this.checkInnerPath(pathToken, scope.bracket.owner);

    if (this.peek().kind === '[') {
      const filter = this.bracketFilter(pathToken, scope, depth);
      if (this.peek().kind !== '.') return { type: 'valuePath', attrPath: pathToken.path, filter };
      const sub = this.subAttrAfterBracket(pathToken);
      const subAttrTest = this.attrTest(sub, `${pathToken.text}[…].${sub.text}`);
      return { type: 'valuePath', attrPath: pathToken.path, filter, subAttrTest };
    }
    return this.attrTest(pathToken, pathToken.text);
  }

  /** `"[" filter "]"` after `owner`; the caller has checked that the next token is "[". */
  private bracketFilter(owner: PathToken, scope: Scope, depth: number): FilterNode {
    const open = this.next();
    if (scope.bracket !== undefined) {
      throw new GrammarError(
        `value filters cannot be nested: "[" at position ${open.start} is inside the "[" at position ${scope.bracket.open.start}`,
      );
    }
    if (owner.path.subAttr !== undefined) {
      throw new GrammarError(
        `"[" at position ${open.start} follows the sub-attribute "${owner.text}"; a value filter applies to a multi-valued attribute such as "emails"`,
      );
    }
    this.enter(depth, open);
    const filter = this.orExpr({ bracket: { open, owner } }, depth + 1);
    this.expectClose(open, ']');
    return filter;
  }

  /**
   * `"." ATTRNAME` right after "]"; the caller has checked that the next token is ".". No spaces
   * around the dot: `emails[…].value` is one path, like `name.familyName`.
   */
  private subAttrAfterBracket(owner: PathToken): PathToken {
    const close = this.tokens[this.index - 1] as Token;
    const dot = this.next();
    if (dot.start !== close.end) {
      throw new GrammarError(`unexpected space before "." at position ${dot.start}; write "${owner.text}[…].name"`);
    }
    const name = this.peek();
    if (name.kind !== 'attrPath' || name.start !== dot.end || !isBareName(name.path)) {
      throw new GrammarError(
        `expected a sub-attribute name right after "${owner.text}[…]." at position ${dot.end}, found ${this.describe(name)}`,
      );
    }
    this.next();
    return name;
  }

  /** `"pr"` or `compareOp compValue` after the attribute path named `shown`. */
  private attrTest(pathToken: PathToken, shown: string): ComparisonNode | PresenceNode {
    const op = this.peek();
    if (op.kind === 'pr') {
      this.next();
      const after = this.peek();
      if (isValueToken(after)) {
        throw new GrammarError(
          `"${op.text}" at position ${op.start} takes no value, found ${this.describe(after)} at position ${after.start}`,
        );
      }
      return { type: 'presence', attrPath: pathToken.path };
    }
    if (op.kind === 'compareOp') {
      this.next();
      return { type: 'comparison', attrPath: pathToken.path, op: op.op, value: this.compValue(op) };
    }
    throw new GrammarError(
      `expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le) or "pr" after "${shown}" at position ${op.start}, found ${this.describe(op)}`,
    );
  }

  private compValue(op: OpToken): CompValue {
    const token = this.peek();
    if (!isValueToken(token)) {
      const hint = token.kind === 'attrPath' ? ' (strings are written in double quotes)' : '';
      throw new GrammarError(
        `expected a comparison value after "${op.text}" at position ${token.start}, found ${this.describe(token)}${hint}`,
      );
    }
    this.next();
    if (token.kind === 'boolean' || token.kind === 'null') this.checkOrdering(op, token);
    return token.kind === 'null' ? null : token.value;
  }

  private checkOrdering(op: OpToken, value: Token): void {
    if (!ORDERING_OPS.has(op.op)) return;
    throw new GrammarError(
      `"${op.text}" at position ${op.start} cannot compare with ${value.text.toLowerCase()}; gt, ge, lt and le need a string or number value`,
    );
  }

  /** Inside `emails[…]` the paths name sub-attributes of one element, which have no parts. */
  private checkInnerPath(token: PathToken, owner: PathToken): void {
    if (isBareName(token.path)) return;
    throw new GrammarError(
      `"${token.text}" at position ${token.start} cannot be used inside "${owner.text}[…]": name a sub-attribute of "${owner.text}" directly, such as "type" or "value"`,
    );
  }

  private enter(depth: number, at: Token): void {
    if (depth + 1 > this.maxDepth) {
      throw new GrammarError(
        `the ${this.noun} nests deeper than ${this.maxDepth} levels at position ${at.start}`,
      );
    }
  }

  private expectClose(open: Token, close: ')' | ']'): void {
    const token = this.peek();
    if (token.kind === close) {
      this.next();
      return;
    }
    if (token.kind === 'end') {
      throw new GrammarError(`missing "${close}" to close the "${open.text}" at position ${open.start}`);
    }
    if (token.kind === '[' && close === ']') {
      throw new GrammarError(
        `value filters cannot be nested: "[" at position ${token.start} is inside the "[" at position ${open.start}`,
      );
    }
    throw new GrammarError(
      `expected "and", "or" or "${close}" at position ${token.start} (closing the "${open.text}" at position ${open.start}), found ${this.describe(token)}`,
    );
  }

  /** `allowed` lists what could have continued the input, for the message. */
  private expectEnd(allowed: string | undefined): void {
    const token = this.peek();
    if (token.kind === 'end') return;
    if (token.kind === ')' || token.kind === ']') {
      const open = token.kind === ')' ? '(' : '[';
      throw new GrammarError(`unexpected "${token.text}" at position ${token.start} without a matching "${open}"`);
    }
    const expected = allowed === undefined ? '' : `${allowed} or `;
    throw new GrammarError(
      `expected ${expected}the end of the ${this.noun} at position ${token.start}, found ${this.describe(token)}`,
    );
  }

  private peek(): Token {
    // The token list always ends with an `end` token and `next` never moves past it.
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private describe(token: Token): string {
    switch (token.kind) {
      case 'end':
        return `the end of the ${this.noun}`;
      case 'string':
        return `the string ${abbreviate(token.text)}`;
      case 'number':
        return `the number ${abbreviate(token.text)}`;
      default:
        return `"${abbreviate(token.text)}"`;
    }
  }
}

function isValueToken(token: Token): token is Extract<Token, { kind: 'string' | 'number' | 'boolean' | 'null' }> {
  return token.kind === 'string' || token.kind === 'number' || token.kind === 'boolean' || token.kind === 'null';
}

function isBareName(path: AttrPath): boolean {
  return path.schema === undefined && path.subAttr === undefined;
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
