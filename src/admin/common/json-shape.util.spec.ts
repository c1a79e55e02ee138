import { findJsonShapeProblem } from 'src/admin/common/json-shape.util';

describe('findJsonShapeProblem', () => {
  it('accepts ordinary bodies', () => {
    expect(findJsonShapeProblem({ users: [{ id: 1, passkey: 'x' }], n: null })).toBeNull();
  });

  it('refuses nesting deeper than the limit, arrays and objects alike', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1500; i++) {
      deep = i % 2 ? [deep] : { a: deep };
    }
    expect(findJsonShapeProblem(deep)).toEqual({ kind: 'too-deep' });
  });

  it('names the field that holds a NUL character', () => {
    expect(findJsonShapeProblem({ users: [{ id: 1 }, { passkey: 'a\u0000b' }] })).toEqual({
      kind: 'nul',
      field: 'users[1].passkey',
    });
  });
});
