import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { addFlag, addWarning } from 'src/announce/policy/announce-policy-step';

function context(): AnnounceContext {
  return { warning: undefined, flags: undefined } as unknown as AnnounceContext;
}

describe('what a policy step adds to an announce', () => {
  it('collects flag kinds in order, and refuses a kind the store could not carry', () => {
    const c = context();
    addFlag(c, 'peer_id_user_agent_mismatch');
    addFlag(c, 'kind_2');
    expect(c.flags).toEqual(['peer_id_user_agent_mismatch', 'kind_2']);
    for (const bad of ['', 'Upper', 'with,comma', 'x'.repeat(65)]) {
      expect(() => addFlag(c, bad)).toThrow(/cheat flag kind/);
    }
  });

  it('joins warnings with a space', () => {
    const c = context();
    addWarning(c, 'One.');
    addWarning(c, 'Two.');
    expect(c.warning).toBe('One. Two.');
  });
});
