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
    const entity = await this.catalog.getEntityByRef(entityRef, { credentials });
    if (!entity || !isModelEntity(entity)) {
      throw new NotFoundError(`No Model entity ${entityRef}`);
    }
    const parsed = parseModelEntity(entity);
    if (!parsed.success) {
      // The catalog rejects invalid Models, so this only happens with a stale entity.
      throw new NotFoundError(
        `Model entity ${entityRef} is not valid: ${describeModelProblems(parsed.problems)}`,
      );
    }
    const { spec, metadata } = parsed.entity;
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
