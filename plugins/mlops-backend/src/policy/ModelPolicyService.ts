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
import { withCatalogRetry } from './catalogRetry';

/**
 * The one place that reads a Model entity from the catalog: NotFoundError when the catalog does not
 * know it (or holds a stale invalid copy), otherwise the entity with its policy defaults resolved.
 */
export async function readModelEntity(catalog: CatalogService, entityRef: string, credentials: BackstageCredentials) {
  const entity = await withCatalogRetry(() => catalog.getEntityByRef(entityRef, { credentials }));
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

/**
 * Users read the catalog as themselves (its permissions decide what they see). Machines hold
 * external tokens restricted to this plugin, which the catalog refuses: the router has already
 * checked their mlops permission, so this plugin reads the catalog for them.
 */
export async function catalogCredentials(auth: AuthService, credentials: BackstageCredentials): Promise<BackstageCredentials> {
  return auth.isPrincipal(credentials, 'user') ? credentials : auth.getOwnServiceCredentials();
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

export type ModelSummary = { entityRef: string; title: string; type: string; owner: string | null; lifecycle: string | null; policy: ModelPolicy };

/** How long a machine's read of a Model is reused (the telemetry path keeps policies 30 s). */
const MACHINE_READ_MS = 10_000;

export class DefaultModelPolicyService implements ModelPolicyService {
  /**
   * Machines' reads are made with this plugin's own credentials, so one read serves every machine:
   * a Grafana dashboard asks per panel and refreshes, for many viewers at once.
   */
  private readonly machineReads = new Map<string, { at: number; view: Promise<ModelPolicyView> }>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly now: () => number = Date.now,
  ) {}

  async getPolicy(
    ref: { namespace: string; name: string },
    credentials: BackstageCredentials,
  ): Promise<ModelPolicyView> {
    const entityRef = stringifyEntityRef({ kind: 'model', ...ref });
    if (this.auth.isPrincipal(credentials, 'user')) return this.readPolicy(entityRef, credentials);
    const now = this.now();
    const kept = this.machineReads.get(entityRef);
    if (kept && now - kept.at <= MACHINE_READ_MS) return kept.view;
    if (this.machineReads.size >= 1_000) {
      for (const [key, read] of this.machineReads) if (now - read.at > MACHINE_READ_MS) this.machineReads.delete(key);
    }
    const view = this.auth.getOwnServiceCredentials().then(own => this.readPolicy(entityRef, own));
    const read = { at: now, view };
    this.machineReads.set(entityRef, read);
    // A model the catalog does not know (yet) is asked about again next time.
    view.catch(() => this.machineReads.get(entityRef) === read && this.machineReads.delete(entityRef));
    return view;
  }

  private async readPolicy(entityRef: string, credentials: BackstageCredentials): Promise<ModelPolicyView> {
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

  async listModels(credentials: BackstageCredentials): Promise<ModelSummary[]> {
    const asked = await catalogCredentials(this.auth, credentials);
    const { items } = await withCatalogRetry(() => this.catalog.getEntities({ filter: { kind: 'model' } }, { credentials: asked }));
    const models: ModelSummary[] = [];
    for (const entity of items) {
      const parsed = isModelEntity(entity) ? parseModelEntity(entity) : undefined;
      if (!parsed?.success) continue;
      const { metadata, spec } = parsed.entity;
      models.push({
        entityRef: stringifyEntityRef(entity),
        title: metadata.title ?? metadata.name,
        type: spec.type,
        owner: spec.owner ?? null,
        lifecycle: spec.lifecycle ?? null,
        policy: spec.policy,
      });
    }
    return models.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
}
