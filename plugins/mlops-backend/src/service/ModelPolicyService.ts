import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  describePolicy,
  describeModelProblems,
  isModelEntity,
  ModelPolicyView,
  parseModelEntity,
} from '@modelrails/plugin-mlops-common';
import { stringifyEntityRef } from '@backstage/catalog-model';

/**
 * The one place that reads a Model entity from the catalog: NotFoundError when the catalog does not
 * know it (or holds a stale invalid copy), otherwise the entity with its policy defaults resolved.
 */
export async function readModelEntity(catalog: CatalogService, entityRef: string, credentials: BackstageCredentials) {
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity || !isModelEntity(entity)) {
    throw new NotFoundError(`No Model entity ${entityRef}`);
  }
  const parsed = parseModelEntity(entity);
  if (!parsed.success) {
    // The catalog rejects invalid Models, so this only happens with a stale entity.
    throw new NotFoundError(`Model entity ${entityRef} is not valid: ${describeModelProblems(parsed.problems)}`);
  }
  return parsed.entity;
}

/** Reads a Model's policy from the catalog, with defaults resolved. */
export interface ModelPolicyService {
  getPolicy(
    ref: { namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<ModelPolicyView>;
}

export class DefaultModelPolicyService implements ModelPolicyService {
  constructor(private readonly catalog: CatalogService) {}

  async getPolicy(
    ref: { namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<ModelPolicyView> {
    const entityRef = stringifyEntityRef({ kind: 'model', ...ref });
    const { spec, metadata } = await readModelEntity(this.catalog, entityRef, credentials);
    return {
      entityRef,
      title: metadata.title,
      type: spec.type,
      lifecycle: spec.lifecycle,
      policy: spec.policy,
      sections: describePolicy(spec.policy),
    };
  }
}
