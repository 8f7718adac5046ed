import type { ErrorDetail } from './app-error';

/**
 * How deep and wide a JSON body of the API may be. No API body in the contract is more than
 * a few levels deep or a few hundred values wide; past these, class-transformer (which recurses
 * once per level) overflows the stack — a 2,000-deep array was a 500 — and class-validator
 * spends seconds per request (400,000 array items: 10 s; 80,000 unknown keys: 24 s and an 8 MB
 * error). Ingest bodies are not screened here: their sources' normalisers read only the fields
 * they know, without recursion, so an odd but real alert is never refused for its shape.
 */
export interface BodyShapeLimits {
  /** Levels of objects / arrays; the body itself is level 1. */
  maxDepth: number;
  /** Keys of any one object. */
  maxKeys: number;
  /** Items of any one array. */
  maxItems: number;
  /** Values (objects, arrays, strings, numbers…) in the whole body. */
  maxValues: number;
}

export const API_BODY_LIMITS: BodyShapeLimits = { maxDepth: 32, maxKeys: 1000, maxItems: 10_000, maxValues: 20_000 };

export interface ShapeProblem extends ErrorDetail {
  code: 'BODY_TOO_DEEP' | 'BODY_TOO_WIDE';
}

interface Visit {
  node: unknown;
  depth: number;
  parent: Visit | null;
  key: string | number | null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEY_SHOWN = 64;
const PATH_SHOWN = 256;

/** `a.b[3]["odd key"]`, as validation details name fields; long keys and paths are cut. */
function pathOf(visit: Visit): string {
  const keys: Array<string | number> = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.push(at.key!);
  let path = '';
  for (const key of keys.reverse()) {
    if (typeof key === 'number') path += `[${key}]`;
    else if (IDENTIFIER.test(key) && key.length <= KEY_SHOWN) path += path ? `.${key}` : key;
    else path += `[${JSON.stringify(key.length > KEY_SHOWN ? `${key.slice(0, KEY_SHOWN)}…` : key)}]`;
    if (path.length > PATH_SHOWN) return `${path.slice(0, PATH_SHOWN)}…`;
  }
  return path || 'body';
}

/**
 * The first place where a parsed JSON body breaks the limits, or null. Walks without
 * recursion, so no depth of input can overflow the stack here.
 */
export function findShapeProblem(body: unknown, limits: BodyShapeLimits = API_BODY_LIMITS): ShapeProblem | null {
  const stack: Visit[] = [{ node: body, depth: 1, parent: null, key: null }];
  let values = 0;
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { node, depth } = visit;
    if (++values > limits.maxValues) {
      return {
        code: 'BODY_TOO_WIDE',
        path: pathOf(visit),
        problem: `the body holds more than ${limits.maxValues} values`,
      };
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > limits.maxDepth) {
      return { code: 'BODY_TOO_DEEP', path: pathOf(visit), problem: `is nested deeper than ${limits.maxDepth} levels` };
    }
    if (Array.isArray(node)) {
      if (node.length > limits.maxItems) {
        return { code: 'BODY_TOO_WIDE', path: pathOf(visit), problem: `has more than ${limits.maxItems} items` };
      }
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], depth: depth + 1, parent: visit, key: i });
      continue;
    }
    const keys = Object.keys(node);
    if (keys.length > limits.maxKeys) {
      return { code: 'BODY_TOO_WIDE', path: pathOf(visit), problem: `has more than ${limits.maxKeys} keys` };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ node: (node as Record<string, unknown>)[keys[i]], depth: depth + 1, parent: visit, key: keys[i] });
    }
  }
  return null;
}
