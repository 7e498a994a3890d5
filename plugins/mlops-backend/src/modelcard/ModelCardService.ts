import { BackstageCredentials, UrlReaderService, AuthService } from '@backstage/backend-plugin-api';
import { ANNOTATION_LOCATION } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { KpiReport, MODEL_CARD_ANNOTATION, ModelCard, ModelVersionList } from '@modelrails/plugin-mlops-common';
import { createHash } from 'node:crypto';
import { KpiService } from '../kpi/KpiService';
import { catalogCredentials, ModelPolicyService, readModelEntity } from '../policy/ModelPolicyService';
import { MAX_LOCAL_FILE_BYTES } from '../runbooks/LocalFileUrlReader';
import { locationUrlOf, runbookUrl } from '../runbooks/RunbookService';
import { ModelCardInput, renderModelCard } from './renderModelCard';


type ModelRef = { namespace: string; name: string };
const DAY = 86_400_000;

/** A Model's model card, generated on each read from what ModelRails knows and the team's notes. */
export interface ModelCardService {
  read(model: ModelRef, credentials: BackstageCredentials): Promise<ModelCard>;
}

export class DefaultModelCardService implements ModelCardService {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      urlReader: UrlReaderService;
      policies: ModelPolicyService;
      versions: (model: ModelRef) => Promise<ModelVersionList>;
      kpis: Pick<KpiService, 'report'>;
      now?: () => number;
    },
  ) {}

  async read(model: ModelRef, credentials: BackstageCredentials): Promise<ModelCard> {
    const view = await this.deps.policies.getPolicy(model, credentials);
    const entity = await readModelEntity(this.deps.catalog, view.entityRef, await catalogCredentials(this.deps.auth, credentials));
    const annotations = (entity.metadata.annotations ?? {}) as Record<string, string>;
    // Whole UTC days: the card (and its digest) moves once a day, not with every prediction.
    const today = Math.floor((this.deps.now ?? Date.now)() / DAY) * DAY;
    const [versions, kpis, notes] = await Promise.all([
      this.deps.versions(model),
      this.deps.kpis.report(view.entityRef, view.policy, { from: today - 30 * DAY, to: today, stepMs: DAY, modelType: view.type }).catch(() => undefined as KpiReport | undefined),
      this.notes(annotations),
    ]);
    const { spec, metadata } = entity;
    const input: ModelCardInput = {
      modelRef: view.entityRef,
      title: view.title ?? metadata.name,
      description: metadata.description,
      type: spec.type,
      lifecycle: spec.lifecycle,
      owner: spec.owner,
      system: spec.system,
      servedBy: spec.servedBy,
      aiModel: spec.aiModel,
      notes,
      versions,
      kpis,
      policy: view.sections,
    };
    const markdown = renderModelCard(input);
    return { modelRef: view.entityRef, title: input.title, markdown, etag: createHash('sha256').update(markdown).digest('hex') };
  }

  /** The team's Markdown, beside catalog-info.yaml as runbooks are; a read failure is shown in the card, not raised. */
  private async notes(annotations: Record<string, string>): Promise<ModelCardInput['notes']> {
    const path = annotations[MODEL_CARD_ANNOTATION];
    if (!path) return undefined;
    try {
      const location = annotations[ANNOTATION_LOCATION];
      if (!location) return { path, problem: 'the entity has no catalog location' };
      const response = await this.deps.urlReader.readUrl(runbookUrl(locationUrlOf(location), path));
      const content = await response.buffer();
      if (content.length > MAX_LOCAL_FILE_BYTES) return { path, problem: `larger than ${MAX_LOCAL_FILE_BYTES} bytes` };
      return { path, markdown: content.toString('utf8') };
    } catch (error) {
      return { path, problem: (error as Error).message };
    }
  }
}
