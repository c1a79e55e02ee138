import { ClientBlockList, type ClientBlockRule } from 'src/clients/client-block-list';

const id = (text: string) => Buffer.from(text.padEnd(20, 'x'), 'latin1');
let nextId = 1;
const rule = (
  prefix: string,
  versionFrom: string | null,
  versionBelow: string | null,
  reason = 'r',
): ClientBlockRule => ({
  id: nextId++,
  prefix,
  versionFrom,
  versionBelow,
  reason,
});

describe('ClientBlockList', () => {
  it('blocks nothing when empty', () => {
    expect(ClientBlockList.EMPTY.blocked(id('-qB4520-'))).toBeNull();
  });

  it('blocks every version of a prefix listed without a range, with the entry reason', () => {
    const list = new ClientBlockList([rule('-XL', null, null, 'Xunlei does not seed.')]);
    expect(list.blocked(id('-XL0012-'))).toBe('Your client is blocked: Xunlei does not seed.');
    expect(list.blocked(id('-qB4520-'))).toBeNull();
  });

  it('blocks only the versions below a bound: -qB below 4.3', () => {
    const list = new ClientBlockList([rule('-qB', null, '4.3')]);
    expect(list.blocked(id('-qB4250-'))).not.toBeNull();
    expect(list.blocked(id('-qB3390-'))).not.toBeNull();
    expect(list.blocked(id('-qB4300-'))).toBeNull();
    expect(list.blocked(id('-qB4520-'))).toBeNull();
    expect(list.blocked(id('-qBA000-'))).toBeNull();
  });

  it('blocks a range from an inclusive bound to an exclusive one: Transmission 4.0.0 to 4.0.5', () => {
    const list = new ClientBlockList([rule('-TR', '4.0', '4.0.5')]);
    expect(list.blocked(id('-TR3000-'))).toBeNull();
    expect(list.blocked(id('-TR4000-'))).not.toBeNull();
    expect(list.blocked(id('-TR4040-'))).not.toBeNull();
    expect(list.blocked(id('-TR4050-'))).toBeNull();
  });

  it('does not block, by a ranged entry, a peer_id whose version it cannot read', () => {
    const list = new ClientBlockList([rule('A2', null, '2.0'), rule('-qB', '1.0', null)]);
    expect(list.blocked(id('A2-1-36-0-'))).toBeNull();
    expect(list.blocked(id('-qB4.50-'))).toBeNull();
  });

  it('matches prefixes of any length, short ones against every peer_id', () => {
    const list = new ClientBlockList([rule('M', null, null, 'Mainline'), rule('-qB45', null, null, 'four-five')]);
    expect(list.blocked(id('M7-4-3--'))).toBe('Your client is blocked: Mainline');
    expect(list.blocked(id('-qB4520-'))).toBe('Your client is blocked: four-five');
    expect(list.blocked(id('-qB4650-'))).toBeNull();
  });

  it('finds entries among many sharing a lead, and the first that blocks wins', () => {
    const rules = [rule('-qB', '5.0', null, 'five')];
    for (let minor = 0; minor < 30; minor++) {
      rules.push(rule(`-qB4${minor.toString(36).toUpperCase()}`, null, null, `4.${minor}`));
    }
    const list = new ClientBlockList(rules);
    expect(list.blocked(id('-qB4C00-'))).toBe('Your client is blocked: 4.12');
    expect(list.blocked(id('-qB5000-'))).toBe('Your client is blocked: five');
    expect(list.blocked(id('-TR4000-'))).toBeNull();
  });
});
