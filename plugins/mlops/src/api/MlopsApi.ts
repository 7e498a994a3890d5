import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  DatasetConsumers,
  DriftReport,
  KpiOverview,
  KpiReport,
  LiveContext,
  Runbook,
  RunbookList,
  RetrainTriggerView,
  LineageGraph,
  ModelPolicyView,
  ModelVersion,
  ModelVersionList,
  Promotion,
  Rollout,
  RolloutDetail,
  SyncStatus,
} from '@modelrails/plugin-mlops-common';

/** What a person can do to a rollout; each needs its own permission. @public */
export type RolloutAction = 'pause' | 'resume' | 'promote' | 'abort' | 'rollback';

/** A promotion request as the backend returns it to the caller, with whether they may decide it. @public */
export type PromotionView = Promotion & { canDecide?: { allowed: boolean; reason?: string } };

/** The portal's view of the ModelRails backend. @public */
export interface MlopsApi {
  getModelPolicy(ref: CompoundEntityRef): Promise<ModelPolicyView>;
  listVersions(ref: CompoundEntityRef): Promise<ModelVersionList>;
  getVersion(ref: CompoundEntityRef, version: string): Promise<ModelVersion>;
  getModelLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph>;
  getDatasetLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph>;
  getDatasetConsumers(ref: CompoundEntityRef, version: string): Promise<DatasetConsumers>;
  getMlflowSyncStatus(): Promise<SyncStatus>;
  requestPromotion(ref: CompoundEntityRef, version: string, body: { environment: string; reason?: string }): Promise<PromotionView>;
  listPromotions(filter?: { status?: Promotion['status']; model?: string }): Promise<Promotion[]>;
  getPromotion(id: string): Promise<PromotionView>;
  getDriftReport(ref: CompoundEntityRef, options?: { version?: string }): Promise<DriftReport>;
  listRetrainTriggers(ref: CompoundEntityRef): Promise<{ items: RetrainTriggerView[] }>;
  decidePromotion(id: string, decision: 'approve' | 'reject', body: { reason: string; override?: boolean }): Promise<PromotionView>;
  listRollouts(ref: CompoundEntityRef): Promise<Rollout[]>;
  getRollout(id: string): Promise<RolloutDetail>;
  actOnRollout(id: string, action: RolloutAction, body: { reason?: string }): Promise<RolloutDetail>;
  getKpis(ref: CompoundEntityRef, options?: { window?: string; segments?: string[] }): Promise<KpiReport>;
  getKpiOverview(options?: { window?: string; step?: string }): Promise<KpiOverview>;
  listRunbooks(ref: CompoundEntityRef): Promise<RunbookList>;
  getRunbook(ref: CompoundEntityRef, id: string): Promise<Runbook>;
  getLiveContext(ref: CompoundEntityRef): Promise<LiveContext>;
}

const seg = (value: string) => encodeURIComponent(value);
const entityPath = (ref: CompoundEntityRef) => `${seg(ref.namespace)}/${seg(ref.name)}`;
const depthQuery = (depth?: number) => (depth ? `?depth=${depth}` : '');

/** @public */
export const mlopsApiRef = createApiRef<MlopsApi>().with({
  id: 'plugin.mlops.api',
  pluginId: 'mlops',
});

/** Talks to the `mlops` backend plugin through Backstage's discovery and fetch APIs. @public */
export class MlopsClient implements MlopsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async getDriftReport(ref: CompoundEntityRef, options: { version?: string } = {}): Promise<DriftReport> {
    const query = options.version ? `?version=${seg(options.version)}` : '';
    return this.get(`/models/${entityPath(ref)}/drift${query}`);
  }

  async getKpis(ref: CompoundEntityRef, options: { window?: string; segments?: string[] } = {}): Promise<KpiReport> {
    const query = new URLSearchParams();
    if (options.window) query.set('window', options.window);
    if (options.segments?.length) query.set('segments', options.segments.join(','));
    const text = query.toString();
    return this.get(`/models/${entityPath(ref)}/kpis${text ? `?${text}` : ''}`);
  }

  async getKpiOverview(options: { window?: string; step?: string } = {}): Promise<KpiOverview> {
    const query = new URLSearchParams(Object.entries(options).filter(([, v]) => v) as Array<[string, string]>).toString();
    return this.get(`/kpis${query ? `?${query}` : ''}`);
  }

  async listRetrainTriggers(ref: CompoundEntityRef): Promise<{ items: RetrainTriggerView[] }> {
    return this.get(`/models/${entityPath(ref)}/retrain-triggers`);
  }

  async getModelPolicy(ref: CompoundEntityRef): Promise<ModelPolicyView> {
    return this.get(`/models/${entityPath(ref)}/policy`);
  }

  async listVersions(ref: CompoundEntityRef): Promise<ModelVersionList> {
    return this.get(`/models/${entityPath(ref)}/versions`);
  }

  async getVersion(ref: CompoundEntityRef, version: string): Promise<ModelVersion> {
    return this.get(`/models/${entityPath(ref)}/versions/${seg(version)}`);
  }

  async getModelLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph> {
    return this.get(`/models/${entityPath(ref)}/versions/${seg(version)}/lineage${depthQuery(depth)}`);
  }

  async getDatasetLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph> {
    return this.get(`/datasets/${entityPath(ref)}/versions/${seg(version)}/lineage${depthQuery(depth)}`);
  }

  async getDatasetConsumers(ref: CompoundEntityRef, version: string): Promise<DatasetConsumers> {
    return this.get(`/datasets/${entityPath(ref)}/versions/${seg(version)}/models`);
  }

  async getMlflowSyncStatus(): Promise<SyncStatus> {
    return this.get('/sync/mlflow');
  }

  async requestPromotion(ref: CompoundEntityRef, version: string, body: { environment: string; reason?: string }) {
    return this.send<PromotionView>('POST', `/models/${entityPath(ref)}/versions/${seg(version)}/promotions`, body);
  }

  async listPromotions(filter: { status?: Promotion['status']; model?: string } = {}) {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>);
    const { items } = await this.get<{ items: Promotion[] }>(`/promotions${query.size ? `?${query}` : ''}`);
    return items;
  }

  async getPromotion(id: string) {
    return this.get<PromotionView>(`/promotions/${seg(id)}`);
  }

  async decidePromotion(id: string, decision: 'approve' | 'reject', body: { reason: string; override?: boolean }) {
    return this.send<PromotionView>('POST', `/promotions/${seg(id)}/${decision}`, body);
  }

  async listRollouts(ref: CompoundEntityRef) {
    const { items } = await this.get<{ items: Rollout[] }>(`/models/${entityPath(ref)}/rollouts`);
    return items;
  }

  async getRollout(id: string) {
    return this.get<RolloutDetail>(`/rollouts/${seg(id)}`);
  }

  async actOnRollout(id: string, action: RolloutAction, body: { reason?: string }) {
    return this.send<RolloutDetail>('POST', `/rollouts/${seg(id)}/${action}`, body);
  }

  async listRunbooks(ref: CompoundEntityRef) {
    return this.get<RunbookList>(`/models/${entityPath(ref)}/runbooks`);
  }

  async getRunbook(ref: CompoundEntityRef, id: string) {
    return this.get<Runbook>(`/models/${entityPath(ref)}/runbooks/${seg(id)}`);
  }

  async getLiveContext(ref: CompoundEntityRef) {
    return this.get<LiveContext>(`/models/${entityPath(ref)}/live-context`);
  }

  private async send<T>(method: string, path: string, body: unknown): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('mlops');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('mlops');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
