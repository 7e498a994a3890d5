import { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  GateSummary,
  MetricComparison,
  ModelVersion,
  ModelVersionList,
  RegisterVersionRequest,
} from '@modelrails/plugin-mlops-common';
import { RegistryStore } from './RegistryStore';
import { productionStory } from './production';
import { parseTimestamp } from '../timestamps';
import { readModelEntity } from '../policy/ModelPolicyService';
import { isCatalogUser } from '../policy/catalogUsers';

type Ref = { namespace: string; name: string };

/** What registration needs of the gates: run them on a version that just arrived. */
export type VersionGates = {
  evaluate(modelRef: string, version: string, trigger: GateSummary['trigger'], actorRef: string): Promise<GateSummary>;
};

/** What the HTTP API does with the registry, independent of express. */
export interface RegistryService {
  register(model: Ref, request: RegisterVersionRequest, credentials: BackstageCredentials): Promise<ModelVersion>;
  list(model: Ref): Promise<ModelVersionList>;
  get(model: Ref, version: string): Promise<ModelVersion>;
  evaluateGates(model: Ref, version: string, credentials: BackstageCredentials): Promise<GateSummary>;
}

function refOfKind(value: string, kinds: string[], field: string, defaultNamespace: string): string {
  let ref;
  try {
    ref = parseEntityRef(value, { defaultKind: kinds[0], defaultNamespace });
  } catch (e) {
    throw new InputError(`${field}: "${value}" is not an entity reference`);
  }
  if (!kinds.includes(ref.kind.toLocaleLowerCase('en-US'))) {
    throw new InputError(`${field}: must reference a ${kinds.join(' or ')}, not a ${ref.kind}`);
  }
  return stringifyEntityRef(ref);
}

/** Relative change of a metric vs the champion's value; undefined when there is nothing to compare. */
export function compareToChampion(metrics: Record<string, number>, champion?: ModelVersion) {
  const out: Record<string, MetricComparison> = {};
  for (const [name, value] of Object.entries(metrics)) {
    const base = champion?.metrics[name];
    out[name] =
      base === undefined
        ? { value }
        : { value, champion: base, ...(base !== 0 ? { relative: (value - base) / Math.abs(base) } : {}) };
  }
  return out;
}

export class DefaultRegistryService implements RegistryService {
  constructor(
    private readonly store: RegistryStore,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly gates: VersionGates,
  ) {}

  /** The Model must exist in the catalog; the plugin checks that on its own authority. */
  private async modelRef(model: Ref): Promise<string> {
    const entityRef = stringifyEntityRef({ kind: 'model', ...model });
    await readModelEntity(this.catalog, entityRef, await this.auth.getOwnServiceCredentials());
    return entityRef;
  }

  async register(model: Ref, request: RegisterVersionRequest, credentials: BackstageCredentials) {
    const modelRef = await this.modelRef(model);
    const ns = model.namespace;
    const datasets = (request.training?.datasets ?? []).map((d, i) => ({
      ...d,
      ref: refOfKind(d.ref, ['resource'], `training.datasets[${i}].ref`, ns),
    }));
    if (datasets.length && !request.training?.run) {
      throw new InputError('training.run: required when training.datasets is given (the run that read them)');
    }
    const featureSets = (request.featureSets ?? []).map((f, i) => ({
      ...f,
      ref: refOfKind(f.ref, ['resource'], `featureSets[${i}].ref`, ns),
    }));
    const run = request.training?.run;
    const actor = principalRef(credentials);
    const registered = await this.store.registerVersion(
      {
        modelRef,
        version: request.version,
        artifact: request.artifact,
        codeCommit: request.codeCommit,
        hyperparameters: request.hyperparameters ?? {},
        metrics: request.metrics ?? {},
        run: run && {
          source: 'ci',
          id: run.id,
          url: run.url,
          experiment: run.experiment,
          startedAt: run.startedAt ? new Date(parseTimestamp(run.startedAt, 'training.run.startedAt')) : undefined,
          finishedAt: run.finishedAt ? new Date(parseTimestamp(run.finishedAt, 'training.run.finishedAt')) : undefined,
        },
        datasets,
        featureSets,
        ...(await this.creatorOf(request, credentials, ns)),
        source: this.auth.isPrincipal(credentials, 'user') ? 'portal' : 'ci',
      },
      actor,
    );
    // Gates run as soon as a version arrives; the answer carries their results.
    const gates = await this.gates.evaluate(modelRef, registered.version, 'registration', actor);
    return { ...registered, gates };
  }

  async evaluateGates(model: Ref, version: string, credentials: BackstageCredentials) {
    const modelRef = await this.modelRef(model);
    return this.gates.evaluate(modelRef, version, 'manual', principalRef(credentials));
  }

  /**
   * Users are who their token says. A service (CI) may name the person it acts for: a User ref,
   * verified when the catalog holds that User (an unknown name cannot be held to "the creator never
   * approves", so such a version is marked and needs the platform teams to approve).
   */
  private async creatorOf(request: RegisterVersionRequest, credentials: BackstageCredentials, ns: string) {
    if (this.auth.isPrincipal(credentials, 'user')) {
      return { creator: credentials.principal.userEntityRef, creatorVerified: true };
    }
    if (!request.createdBy) return { creator: principalRef(credentials), creatorVerified: true };
    const creator = refOfKind(request.createdBy, ['user'], 'createdBy', ns);
    return { creator, creatorVerified: await isCatalogUser(this.catalog, creator, await this.auth.getOwnServiceCredentials()) };
  }

  async list(model: Ref): Promise<ModelVersionList> {
    const modelRef = await this.modelRef(model);
    const versions = await this.store.listVersions(modelRef);
    const champion = versions.find(v => v.aliases.includes('champion'));
    return {
      modelRef,
      ...(champion ? { champion: champion.version } : {}),
      items: versions.map(v => ({ ...v, vsChampion: compareToChampion(v.metrics, champion) })),
      production: productionStory(versions),
    };
  }

  async get(model: Ref, version: string): Promise<ModelVersion> {
    const modelRef = await this.modelRef(model);
    const found = await this.store.getVersion(modelRef, version);
    if (!found) {
      throw new NotFoundError(`No version ${version} of ${modelRef}`);
    }
    return found;
  }
}

/** The acting principal as one string for audit rows: a user ref, or `service:<subject>`. */
export function principalRef(credentials: BackstageCredentials): string {
  const p = credentials.principal as { type: string; userEntityRef?: string; subject?: string };
  if (p.type === 'user' && p.userEntityRef) return p.userEntityRef;
  if (p.type === 'service' && p.subject) return `service:${p.subject}`;
  return p.type;
}
