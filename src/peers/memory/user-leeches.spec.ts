import { UserLeeches } from 'src/peers/memory/user-leeches';

describe('UserLeeches', () => {
  it("counts a user's leeched swarms once each, whatever its number of leeching clients in one", () => {
    const leeches = new UserLeeches();
    leeches.add(1, 10);
    leeches.add(1, 10);
    leeches.add(1, 11);
    leeches.add(2, 10);
    expect(leeches.elsewhere(1, 12)).toBe(2);
    expect(leeches.elsewhere(1, 10)).toBe(-1);
    expect(leeches.elsewhere(1, undefined)).toBe(2);
    leeches.remove(1, 10);
    expect(leeches.elsewhere(1, 10)).toBe(-1);
    leeches.remove(1, 10);
    expect(leeches.elsewhere(1, 10)).toBe(1);
    leeches.remove(1, 11);
    expect(leeches.elsewhere(1, 10)).toBe(0);
    leeches.remove(1, 11);
    expect(leeches.elsewhere(2, 12)).toBe(1);
  });
});
