import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  mlopsIngestPermission,
  mlopsPermissions,
  mlopsPromotionOverridePermission,
  mlopsReadPermission,
  mlopsRegisterPermission,
  mlopsRolloutRollbackPermission,
} from '@modelrails/plugin-mlops-common';
import { ModelRailsPermissionPolicy } from './ModelRailsPermissionPolicy';

const policy = new ModelRailsPermissionPolicy(['group:default/ml-platform']);
const user = (ref: string, groups: string[]) => ({
  identity: { type: 'user' as const, userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
  token: 'token',
  credentials: {} as any,
  info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
});
const hana = user('user:default/hana', ['group:default/retrieval-team']);
const carol = user('user:default/carol', ['group:default/ML-Platform']);

describe('ModelRailsPermissionPolicy', () => {
  it('lets everyone read, request and use the rest of the portal', async () => {
    for (const permission of [mlopsReadPermission, ...mlopsPermissions.filter(p => p.name === 'mlops.promotion.request')]) {
      expect(await policy.handle({ permission }, hana)).toEqual({ result: AuthorizeResult.ALLOW });
    }
    expect(await policy.handle({ permission: { type: 'basic', name: 'catalog.entity.create', attributes: {} } }, hana)).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('leaves registering to the model\'s owners and the platform teams, and telemetry to the platform teams among people', async () => {
    expect(await policy.handle({ permission: mlopsRegisterPermission }, hana)).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'mlops',
      resourceType: 'mlops-model',
      conditions: { rule: 'IS_MODEL_OWNER', resourceType: 'mlops-model', params: { claims: ['user:default/hana', 'group:default/retrieval-team'] } },
    });
    expect(await policy.handle({ permission: mlopsIngestPermission }, hana)).toEqual({ result: AuthorizeResult.DENY });
    expect(await policy.handle({ permission: mlopsIngestPermission }, carol)).toEqual({ result: AuthorizeResult.ALLOW });
    expect(await policy.handle({ permission: mlopsRegisterPermission }, carol)).toEqual({ result: AuthorizeResult.ALLOW });
    // Machines (their tokens restricted to one permission before the policy is asked).
    expect(await policy.handle({ permission: mlopsIngestPermission })).toEqual({ result: AuthorizeResult.ALLOW });
    expect(await policy.handle({ permission: mlopsRegisterPermission })).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('leaves rollout control to the model\'s owners: a condition on the user\'s claims', async () => {
    expect(await policy.handle({ permission: mlopsRolloutRollbackPermission }, hana)).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'mlops',
      resourceType: 'mlops-model',
      conditions: { rule: 'IS_MODEL_OWNER', resourceType: 'mlops-model', params: { claims: ['user:default/hana', 'group:default/retrieval-team'] } },
    });
  });

  it('lets the platform teams control any model (claims compared without case), and no one else override a gate', async () => {
    expect(await policy.handle({ permission: mlopsRolloutRollbackPermission }, carol)).toEqual({ result: AuthorizeResult.ALLOW });
    expect(await policy.handle({ permission: mlopsPromotionOverridePermission }, carol)).toEqual({ result: AuthorizeResult.ALLOW });
    expect(await policy.handle({ permission: mlopsPromotionOverridePermission }, hana)).toEqual({ result: AuthorizeResult.DENY });
    expect(await policy.handle({ permission: mlopsRolloutRollbackPermission })).toEqual({ result: AuthorizeResult.DENY });
  });
});
