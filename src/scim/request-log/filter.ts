/**
 * What of a filter the request log may keep. Roster holds no passwords, yet a client can still
 * send one inside a filter (`password eq "hunter2"`), whether the filter is then accepted or
 * refused: the value compared with a password attribute never reaches the log.
 */
import { parseFilter, printFilter, type AttrPath, type FilterNode } from '../filter/index.ts';

/** Stored in place of a value compared with a password. */
export const REDACTED = '[redacted]';

/** Stored in place of a filter that names a password but cannot be parsed to find its values. */
export const WITHHELD_FILTER = '[filter naming a password, not kept]';

const NAMES_PASSWORD = /password/i;

/**
 * `filter` with every value compared with a `password` attribute (any case, schema-qualified or
 * not) replaced by {@link REDACTED}; a filter that names a password and does not parse is
 * withheld whole, since nothing then tells which of its parts is the secret.
 */
export function loggableFilter(filter: string): string {
  if (!NAMES_PASSWORD.test(filter)) return filter;
  const parsed = parseFilter(filter);
  if (!parsed.ok) return WITHHELD_FILTER;
  const redacted = redactNode(parsed.value);
  return redacted === parsed.value ? filter : printFilter(redacted);
}

function redactNode(node: FilterNode): FilterNode {
  switch (node.type) {
    case 'comparison':
      return namesPassword(node.attrPath) && node.value !== null ? { ...node, value: REDACTED } : node;
    case 'presence':
      return node;
    case 'logical': {
      const [left, right] = [redactNode(node.left), redactNode(node.right)];
      return left === node.left && right === node.right ? node : { ...node, left, right };
    }
    case 'not': {
      const filter = redactNode(node.filter);
      return filter === node.filter ? node : { ...node, filter };
    }
    case 'valuePath': {
      // Inside `password[value eq "x"]` every comparison is on the password.
      const filter = namesPassword(node.attrPath) ? redactAll(node.filter) : redactNode(node.filter);
      const test = node.subAttrTest === undefined ? undefined : redactNode(node.subAttrTest);
      if (filter === node.filter && test === node.subAttrTest) return node;
      return { ...node, filter, ...(test !== undefined && { subAttrTest: test as typeof node.subAttrTest }) };
    }
  }
}

function redactAll(node: FilterNode): FilterNode {
  switch (node.type) {
    case 'comparison':
      return node.value === null ? node : { ...node, value: REDACTED };
    case 'presence':
      return node;
    case 'logical':
      return { ...node, left: redactAll(node.left), right: redactAll(node.right) };
    case 'not':
      return { ...node, filter: redactAll(node.filter) };
    case 'valuePath':
      return { ...node, filter: redactAll(node.filter) };
  }
}

function namesPassword(path: AttrPath): boolean {
  return [path.attr, path.subAttr].some((name) => name !== undefined && name.toLowerCase() === 'password');
}
