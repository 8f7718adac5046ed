import { findShapeProblem } from './body-shape';

function nested(depth: number, leaf: unknown = 'x', wrap: (inner: unknown) => unknown = (inner) => [inner]): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

const limits = { maxDepth: 4, maxKeys: 3, maxItems: 3, maxValues: 12 };

describe('findShapeProblem', () => {
  it.each<[string, unknown, ReturnType<typeof findShapeProblem>]>([
    ['a scalar body', 'text', null],
    ['null', null, null],
    ['four levels', { a: { b: { c: ['x'] } } }, null],
    [
      'five levels of arrays',
      { a: nested(4) },
      { code: 'BODY_TOO_DEEP', path: 'a[0][0][0]', problem: 'is nested deeper than 4 levels' },
    ],
    [
      'five levels of objects',
      nested(5, 1, (inner) => ({ k: inner })),
      { code: 'BODY_TOO_DEEP', path: 'k.k.k.k', problem: 'is nested deeper than 4 levels' },
    ],
    [
      'an object with too many keys',
      { a: { k1: 1, k2: 2, k3: 3, k4: 4 } },
      { code: 'BODY_TOO_WIDE', path: 'a', problem: 'has more than 3 keys' },
    ],
    [
      'a top-level object with too many keys',
      { k1: 1, k2: 2, k3: 3, k4: 4 },
      { code: 'BODY_TOO_WIDE', path: 'body', problem: 'has more than 3 keys' },
    ],
    [
      'an array with too many items',
      { list: [1, 2, 3, 4] },
      { code: 'BODY_TOO_WIDE', path: 'list', problem: 'has more than 3 items' },
    ],
    [
      'too many values in all',
      { a: [1, 2, 3], b: [1, 2, 3], c: [1, 2, 3] },
      { code: 'BODY_TOO_WIDE', path: 'c[2]', problem: 'the body holds more than 12 values' },
    ],
    [
      'odd keys, quoted',
      { 'odd key': nested(4) },
      { code: 'BODY_TOO_DEEP', path: '["odd key"][0][0][0]', problem: 'is nested deeper than 4 levels' },
    ],
  ])('%s', (_, body, expected) => {
    expect(findShapeProblem(body, limits)).toEqual(expected);
  });

  it('walks 100,000 levels without recursion and names the field where the limit is crossed', () => {
    const problem = findShapeProblem({ title: nested(100_000) });
    expect(problem).toEqual({
      code: 'BODY_TOO_DEEP',
      path: `title${'[0]'.repeat(31)}`,
      problem: 'is nested deeper than 32 levels',
    });
  });

  it('cuts long keys and long paths in what it names', () => {
    const key = 'k'.repeat(1000);
    const problem = findShapeProblem({ [key]: nested(10, 'x', (inner) => ({ [key]: inner })) }, limits);
    expect(problem?.path.length).toBeLessThanOrEqual(257);
    expect(problem?.path.startsWith(`["${'k'.repeat(64)}…"]`)).toBe(true);
  });

  it('keeps __proto__ an ordinary key', () => {
    const body = JSON.parse('{"__proto__":{"a":{"b":{"c":{"d":1}}}}}');
    expect(findShapeProblem(body, limits)).toEqual({
      code: 'BODY_TOO_DEEP',
      path: '__proto__.a.b.c',
      problem: 'is nested deeper than 4 levels',
    });
  });
});
