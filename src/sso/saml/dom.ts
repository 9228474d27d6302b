// Element and Node are the DOM types that @xmldom/xmldom's typings declare (it references lib "dom").
/** Direct element children with this namespace and local name, in document order. */
export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE && (node as Element).namespaceURI === ns && (node as Element).localName === localName) {
      found.push(node as Element);
    }
  }
  return found;
}

export function onlyChild(parent: Element, ns: string, localName: string): Element | undefined {
  const all = childElements(parent, ns, localName);
  return all.length === 1 ? all[0] : undefined;
}

/** Every descendant element (not the start node itself) with this namespace and local name. */
export function descendants(start: Node, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== child.ELEMENT_NODE) continue;
      const element = child as Element;
      if (element.namespaceURI === ns && element.localName === localName) found.push(element);
      walk(element);
    }
  };
  walk(start);
  return found;
}

/** Every descendant element, whatever its name. */
export function allElements(start: Node): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== child.ELEMENT_NODE) continue;
      found.push(child as Element);
      walk(child);
    }
  };
  walk(start);
  return found;
}

/** True when a comment sits anywhere below the node. */
export function containsComment(start: Node): boolean {
  for (let child = start.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.COMMENT_NODE) return true;
    if (child.nodeType === child.ELEMENT_NODE && containsComment(child)) return true;
  }
  return false;
}

/** An attribute's value, or undefined when absent (xmldom returns '' for both). */
export function attribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? element.getAttribute(name) ?? undefined : undefined;
}

export function text(element: Element): string {
  return element.textContent ?? '';
}
