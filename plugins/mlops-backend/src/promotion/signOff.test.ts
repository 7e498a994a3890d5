import { NotAllowedError } from '@backstage/errors';
import { assertSeparationOfDuties, normalizeRef } from './signOff';

const promotion = { requestedBy: 'user:default/alice' };
const version = { version: '18', creator: 'user:default/bob' };
const user = (userEntityRef: string) => ({ kind: 'user' as const, userEntityRef });

describe('sign-off rules', () => {
  it('lets a third person decide, answering their normalised ref', () => {
    expect(assertSeparationOfDuties(user('user:default/Carol'), promotion, version)).toBe('user:default/carol');
  });

  it('refuses machines, the requester and the creator, whatever case or default namespace they use', () => {
    expect(() => assertSeparationOfDuties({ kind: 'machine' }, promotion, version)).toThrow(/Only people/);
    expect(() => assertSeparationOfDuties(user('user:default/ALICE'), promotion, version)).toThrow(/You requested this promotion/);
    expect(() => assertSeparationOfDuties(user('bob'), promotion, version)).toThrow(/You created v18/);
    expect(() => assertSeparationOfDuties(user('user:default/bob'), promotion, version)).toThrow(NotAllowedError);
  });

  it('normalises refs: kind and namespace defaulted, case folded', () => {
    expect(normalizeRef('Alice')).toBe('user:default/alice');
    expect(normalizeRef('group:ML/Platform')).toBe('group:ml/platform');
  });
});
