// Prints a filter the way careless clients write it: keywords in any case, extra spaces and line
// breaks, redundant parentheses. Decisions come from a seeded generator so failures reproduce.

import {
  printAttrPath,
  printCompValue,
  type ComparisonNode,
  type FilterNode,
  type PresenceNode,
} from '../../../src/scim/filter/index.ts';

const PRECEDENCE = { or: 1, and: 2 } as const;
const SPACES = [' ', ' ', ' ', '  ', '\n  ', '\t', '\r\n'] as const;

/** mulberry32: small, fast, and good enough to pick among spellings. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function printNoisily(node: FilterNode, seed: number): string {
  const next = random(seed);
  const chance = (p: number): boolean => next() < p;
  const space = (): string => SPACES[Math.floor(next() * SPACES.length)] ?? ' ';
  const maybeSpace = (): string => (chance(0.5) ? space() : '');
  const keyword = (word: string): string =>
    word.replace(/[a-z]/gi, (ch) => (chance(0.5) ? ch.toUpperCase() : ch.toLowerCase()));

  const value = (v: ComparisonNode['value']): string =>
    typeof v === 'boolean' || v === null ? keyword(String(v)) : printCompValue(v);

  const test = (t: ComparisonNode | PresenceNode, path: string): string =>
    t.type === 'presence'
      ? `${path}${space()}${keyword('pr')}`
      : `${path}${space()}${keyword(t.op)}${space()}${value(t.value)}`;

  const group = (text: string): string => `(${maybeSpace()}${text}${maybeSpace()})`;

  const print = (n: FilterNode): string => {
    const text = printBare(n);
    return chance(0.15) ? group(text) : text;
  };

  const operand = (n: FilterNode, needsParens: boolean): string =>
    n.type === 'logical' && needsParens ? group(print(n)) : print(n);

  const printBare = (n: FilterNode): string => {
    switch (n.type) {
      case 'comparison':
      case 'presence':
        return test(n, printAttrPath(n.attrPath));
      case 'not':
        return `${keyword('not')}${maybeSpace()}${group(print(n.filter))}`;
      case 'valuePath': {
        const base = `${printAttrPath(n.attrPath)}[${maybeSpace()}${print(n.filter)}${maybeSpace()}]`;
        return n.subAttrTest === undefined ? base : test(n.subAttrTest, `${base}.${printAttrPath(n.subAttrTest.attrPath)}`);
      }
      case 'logical': {
        const own = PRECEDENCE[n.op];
        const left = operand(n.left, n.left.type === 'logical' && PRECEDENCE[n.left.op] < own);
        const right = operand(n.right, n.right.type === 'logical' && PRECEDENCE[n.right.op] <= own);
        return `${left}${space()}${keyword(n.op)}${space()}${right}`;
      }
    }
  };

  return `${maybeSpace()}${print(node)}${maybeSpace()}`;
}
