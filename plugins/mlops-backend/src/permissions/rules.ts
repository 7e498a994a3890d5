import { AuthService, PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createConditionExports, createPermissionResourceRef, createPermissionRule } from '@backstage/plugin-permission-node';
import { mlopsPermissions, MODEL_RESOURCE_TYPE } from '@modelrails/plugin-mlops-common';
import { z } from 'zod';

/** Conditions on Models, as the rules below translate them. @public */
export type ModelQuery = { property: 'owner' | 'lifecycle'; values: string[] };

/** Models as permission resources: policy authors write conditions on the Model entity. */
export const modelResourceRef = createPermissionResourceRef<Entity, ModelQuery>().with({
  pluginId: 'mlops',
  resourceType: MODEL_RESOURCE_TYPE,
});

const lower = (values: string[]) => values.map(v => v.toLocaleLowerCase('en-US'));

/** e.g. "only the model's owners may request its promotion": pass the user's ownership claims. */
export const isModelOwner = createPermissionRule({
  name: 'IS_MODEL_OWNER',
  description: 'Allow when the Model is owned by one of the given entity refs (e.g. the user’s ownership claims)',
  resourceRef: modelResourceRef,
  paramsSchema: z.object({ claims: z.array(z.string()).describe('entity refs, e.g. group:default/ranking-team') }),
  apply: (entity, { claims }) => {
    const owners = lower((entity.relations ?? []).filter(r => r.type === RELATION_OWNED_BY).map(r => r.targetRef));
    return lower(claims).some(c => owners.includes(c));
  },
  toQuery: ({ claims }) => ({ property: 'owner', values: claims }),
});

/** e.g. "experimental models may be promoted by anyone with the permission, production ones only by leads". */
export const hasModelLifecycle = createPermissionRule({
  name: 'HAS_MODEL_LIFECYCLE',
  description: 'Allow when the Model is at one of the given lifecycle stages',
  resourceRef: modelResourceRef,
  paramsSchema: z.object({ lifecycles: z.array(z.string()).describe('e.g. experimental, production') }),
  apply: (entity, { lifecycles }) =>
    lower(lifecycles).includes(String((entity.spec as { lifecycle?: string } | undefined)?.lifecycle ?? '').toLocaleLowerCase('en-US')),
  toQuery: ({ lifecycles }) => ({ property: 'lifecycle', values: lifecycles }),
});

export const modelPermissionRules = [isModelOwner, hasModelLifecycle];

const modelConditionExports = createConditionExports({
  resourceRef: modelResourceRef,
  rules: { isModelOwner, hasModelLifecycle },
});

/**
 * Conditions on Models for permission policies, e.g.
 * `createMlopsModelConditionalDecision(permission, mlopsModelConditions.isModelOwner({ claims }))`.
 * @public
 */
export const mlopsModelConditions = modelConditionExports.conditions;

/** @public */
export const createMlopsModelConditionalDecision = modelConditionExports.createConditionalDecision;

/** Loads the Model entities the permission framework asks about, on the plugin's own authority. */
export function modelResourceLoader(catalog: CatalogService, auth: AuthService) {
  return async (refs: string[]): Promise<Array<Entity | undefined>> => {
    const { items } = await catalog.getEntitiesByRefs({ entityRefs: refs }, { credentials: await auth.getOwnServiceCredentials() });
    return items.map(e => e ?? undefined);
  };
}

/** Registers the plugin's permissions, and the Model resource type with its rules, for policy authors. */
export function registerMlopsPermissions(registry: PermissionsRegistryService, catalog: CatalogService, auth: AuthService) {
  registry.addResourceType({
    resourceRef: modelResourceRef,
    permissions: mlopsPermissions.filter(p => p.type === 'resource'),
    rules: modelPermissionRules,
    getResources: modelResourceLoader(catalog, auth),
  });
  registry.addPermissions(mlopsPermissions.filter(p => p.type !== 'resource'));
}
