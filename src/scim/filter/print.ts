/**
 * Writes a syntax tree back as filter or path text that parses to the same tree: for logs, for
 * error messages, and for passing a filter on. Parentheses appear only where precedence needs them.
 */

import type { AttrPath, CompValue, ComparisonNode, FilterNode, PresenceNode } from './ast.ts';

const PRECEDENCE = { or: 1, and: 2 } as const;

export function printAttrPath(path: AttrPath): string {
  const schema = path.schema === undefined ? '' : `${path.schema}:`;
  const subAttr = path.subAttr === undefined ? '' : `.${path.subAttr}`;
  return `${schema}${path.attr}${subAttr}`;
}

/** JSON text of a comparison value; JSON.stringify escapes exactly what the grammar requires. */
export function printCompValue(value: CompValue): string {
  // JSON.stringify writes -0 as "0", which would read back as +0.
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return JSON.stringify(value);
}

export function printFilter(node: FilterNode): string {
  switch (node.type) {
    case 'comparison':
    case 'presence':
      return printAttrTest(node, printAttrPath(node.attrPath));
    case 'not':
      return `not (${printFilter(node.filter)})`;
    case 'valuePath': {
      const base = `${printAttrPath(node.attrPath)}[${printFilter(node.filter)}]`;
      if (node.subAttrTest === undefined) return base;
      return printAttrTest(node.subAttrTest, `${base}.${printAttrPath(node.subAttrTest.attrPath)}`);
    }
    case 'logical': {
      const own = PRECEDENCE[node.op];
      // Chains are read left to right, so a right operand of equal precedence needs parentheses.
      const left = printOperand(node.left, (inner) => inner < own);
      const right = printOperand(node.right, (inner) => inner <= own);
      return `${left} ${node.op} ${right}`;
    }
  }
}

function printAttrTest(node: ComparisonNode | PresenceNode, path: string): string {
  return node.type === 'presence' ? `${path} pr` : `${path} ${node.op} ${printCompValue(node.value)}`;
}

function printOperand(node: FilterNode, needsParens: (precedence: number) => boolean): string {
  const text = printFilter(node);
  return node.type === 'logical' && needsParens(PRECEDENCE[node.op]) ? `(${text})` : text;
}
