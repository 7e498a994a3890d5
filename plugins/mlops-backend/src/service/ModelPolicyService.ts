import { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  describePolicy,
  describeModelProblems,
  isModelEntity,
  ModelPolicy,
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
  /** Every valid Model entity the credentials may see, with its policy. */
  listModels(credentials: BackstageCredentials): Promise<ModelSummary[]>;
}

export type ModelSummary = { entityRef: string; title: string; owner: string | null; lifecycle: string | null; policy: ModelPolicy };

export class DefaultModelPolicyService implements ModelPolicyService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Users read the catalog as themselves (its permissions decide what they see). Machines hold
   * external tokens restricted to this plugin, which the catalog refuses: the router has already
   * checked their mlops permission, so this plugin reads the catalog for them.
   */
  private async catalogCredentials(credentials: BackstageCredentials): Promise<BackstageCredentials> {
    return this.auth.isPrincipal(credentials, 'user') ? credentials : this.auth.getOwnServiceCredentials();
  }

  async getPolicy(
    ref: { namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<ModelPolicyView> {
    const entityRef = stringifyEntityRef({ kind: 'model', ...ref });
    const { spec, metadata } = await readModelEntity(this.catalog, entityRef, await this.catalogCredentials(credentials));
    return {
      entityRef,
      title: metadata.title,
      type: spec.type,
      lifecycle: spec.lifecycle,
      policy: spec.policy,
      sections: describePolicy(spec.policy),
    };
  }

  async listModels(credentials: BackstageCredentials): Promise<ModelSummary[]> {
    const { items } = await this.catalog.getEntities({ filter: { kind: 'model' } }, { credentials: await this.catalogCredentials(credentials) });
    const models: ModelSummary[] = [];
    for (const entity of items) {
      const parsed = isModelEntity(entity) ? parseModelEntity(entity) : undefined;
      if (!parsed?.success) continue;
      const { metadata, spec } = parsed.entity;
      models.push({
        entityRef: stringifyEntityRef(entity),
        title: metadata.title ?? metadata.name,
        owner: spec.owner ?? null,
        lifecycle: spec.lifecycle ?? null,
        policy: spec.policy,
      });
    }
    return models.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
}
