import { Entity } from '@backstage/catalog-model';
import { hasModelLifecycle, isModelOwner } from './rules';

const model: Entity = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'm' },
  spec: { lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/ranking-team' }],
};

describe('Model permission rules', () => {
  it('match owners by the claims a policy passes, whatever their case', () => {
    expect(isModelOwner.apply(model, { claims: ['user:default/alice', 'Group:Default/Ranking-Team'] })).toBe(true);
    expect(isModelOwner.apply(model, { claims: ['group:default/ads-ml'] })).toBe(false);
    expect(isModelOwner.toQuery({ claims: ['group:default/x'] })).toEqual({ property: 'owner', values: ['group:default/x'] });
  });

  it('match lifecycle stages', () => {
    expect(hasModelLifecycle.apply(model, { lifecycles: ['Production'] })).toBe(true);
    expect(hasModelLifecycle.apply(model, { lifecycles: ['experimental'] })).toBe(false);
  });
});
