import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  Backtest,
  DatasetConsumers,
  DriftReport,
  DriftSeries,
  FeatureDistribution,
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
  MlopsApiClient,
  KpiStep,
  TypedResponse,
  GetEvaluation200Response,
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
  /** Each feature's drift per step over a window (what the Grafana drift panel draws). */
  getDriftSeries(ref: CompoundEntityRef, options: { window: string; step?: KpiStep; version?: string }): Promise<DriftSeries>;
  /** One feature's reference and current distributions over a window. */
  getFeatureDistribution(ref: CompoundEntityRef, options: { feature: string; from: string; to: string; version?: string }): Promise<FeatureDistribution>;
  listRetrainTriggers(ref: CompoundEntityRef): Promise<{ items: RetrainTriggerView[] }>;
  /** Each feature's drift alarms set against the KPI changes after them (the policy's backtest window). */
  getDriftBacktest(ref: CompoundEntityRef): Promise<Backtest>;
  decidePromotion(id: string, decision: 'approve' | 'reject', body: { reason: string; override?: boolean }): Promise<PromotionView>;
  listRollouts(ref: CompoundEntityRef): Promise<Rollout[]>;
  getRollout(id: string): Promise<RolloutDetail>;
  actOnRollout(id: string, action: RolloutAction, body: { reason?: string }): Promise<RolloutDetail>;
  getKpis(ref: CompoundEntityRef, options?: { window?: string; segments?: string[] }): Promise<KpiReport>;
  getKpiOverview(options?: { window?: string; step?: string }): Promise<KpiOverview>;
  /** Matured-label metrics and CBPE estimates per window (`step` 1h or 1d, `windows` of them). */
  getEvaluation(ref: CompoundEntityRef, options: { step: '1h' | '1d'; windows: number }): Promise<GetEvaluation200Response>;
  listRunbooks(ref: CompoundEntityRef): Promise<RunbookList>;
  getRunbook(ref: CompoundEntityRef, id: string): Promise<Runbook>;
  getLiveContext(ref: CompoundEntityRef): Promise<LiveContext>;
}

/** @public */
export const mlopsApiRef = createApiRef<MlopsApi>().with({
  id: 'plugin.mlops.api',
  pluginId: 'mlops',
});

/** The generated client's answer as its body, or a ResponseError carrying the backend's error. */
async function body<T>(response: TypedResponse<T> | Promise<TypedResponse<T>>): Promise<T> {
  const answer = await response;
  if (!answer.ok) throw await ResponseError.fromResponse(answer as unknown as Response);
  return answer.json();
}

const path = (ref: CompoundEntityRef) => ({ namespace: ref.namespace, name: ref.name });

/**
 * Talks to the `mlops` backend plugin through Backstage's discovery and fetch APIs, with the client
 * generated from the backend's OpenAPI spec (`MlopsApiClient`); this class only unwraps answers.
 * @public
 */
export class MlopsClient implements MlopsApi {
  private readonly client: MlopsApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new MlopsApiClient(deps);
  }

  getDriftReport(ref: CompoundEntityRef, options: { version?: string } = {}) {
    return body(this.client.getDriftReport({ path: path(ref), query: { version: options.version } }));
  }

  getDriftSeries(ref: CompoundEntityRef, options: { window: string; step?: KpiStep; version?: string }) {
    return body(this.client.getDriftSeries({ path: path(ref), query: { window: options.window, step: options.step, version: options.version } }));
  }

  getDriftBacktest(ref: CompoundEntityRef) {
    return body(this.client.getDriftBacktest({ path: path(ref), query: {} }));
  }

  getFeatureDistribution(ref: CompoundEntityRef, options: { feature: string; from: string; to: string; version?: string }) {
    // The generated type calls the parameter `_from`, but its URI template expands `from`: a query
    // built with `_from` went out without its start, so the server judged its default window.
    const query = { feature: options.feature, from: options.from, to: options.to, version: options.version };
    return body(this.client.getFeatureDistribution({ path: path(ref), query }));
  }

  getKpis(ref: CompoundEntityRef, options: { window?: string; segments?: string[] } = {}) {
    return body(this.client.getModelKpis({ path: path(ref), query: { window: options.window, segments: options.segments?.length ? options.segments.join(',') : undefined } }));
  }

  getKpiOverview(options: { window?: string; step?: string } = {}) {
    return body(this.client.getKpiOverview({ query: { window: options.window, step: options.step as KpiStep | undefined } }));
  }

  getEvaluation(ref: CompoundEntityRef, options: { step: '1h' | '1d'; windows: number }) {
    return body(this.client.getEvaluation({ path: path(ref), query: { step: options.step, days: String(options.windows) } }));
  }

  listRetrainTriggers(ref: CompoundEntityRef) {
    return body(this.client.listRetrainTriggers({ path: path(ref), query: {} }));
  }

  getModelPolicy(ref: CompoundEntityRef) {
    return body(this.client.getModelPolicy({ path: path(ref) })) as Promise<ModelPolicyView>;
  }

  listVersions(ref: CompoundEntityRef) {
    return body(this.client.listModelVersions({ path: path(ref) }));
  }

  getVersion(ref: CompoundEntityRef, version: string) {
    return body(this.client.getModelVersion({ path: { ...path(ref), version } }));
  }

  getModelLineage(ref: CompoundEntityRef, version: string, depth?: number) {
    return body(this.client.getModelVersionLineage({ path: { ...path(ref), version }, query: { depth: depth === undefined ? undefined : String(depth) } }));
  }

  getDatasetLineage(ref: CompoundEntityRef, version: string, depth?: number) {
    return body(this.client.getDatasetVersionLineage({ path: { ...path(ref), version }, query: { depth: depth === undefined ? undefined : String(depth) } }));
  }

  getDatasetConsumers(ref: CompoundEntityRef, version: string) {
    return body(this.client.getDatasetVersionModels({ path: { ...path(ref), version } }));
  }

  getMlflowSyncStatus() {
    return body(this.client.getMlflowSyncStatus({}));
  }

  requestPromotion(ref: CompoundEntityRef, version: string, request: { environment: string; reason?: string }) {
    return body(this.client.requestPromotion({ path: { ...path(ref), version }, body: request })) as Promise<PromotionView>;
  }

  async listPromotions(filter: { status?: Promotion['status']; model?: string } = {}) {
    return (await body(this.client.listPromotions({ query: filter }))).items;
  }

  getPromotion(id: string) {
    return body(this.client.getPromotion({ path: { id } })) as Promise<PromotionView>;
  }

  decidePromotion(id: string, decision: 'approve' | 'reject', request: { reason: string; override?: boolean }) {
    const decided = decision === 'approve' ? this.client.approvePromotion({ path: { id }, body: request }) : this.client.rejectPromotion({ path: { id }, body: request });
    return body(decided) as Promise<PromotionView>;
  }

  async listRollouts(ref: CompoundEntityRef) {
    return (await body(this.client.listModelRollouts({ path: path(ref) }))).items;
  }

  getRollout(id: string) {
    return body(this.client.getRollout({ path: { id } }));
  }

  actOnRollout(id: string, action: RolloutAction, request: { reason?: string }) {
    return body(this.client.actOnRollout({ path: { id, action }, body: request }));
  }

  listRunbooks(ref: CompoundEntityRef) {
    return body(this.client.listRunbooks({ path: path(ref) }));
  }

  getRunbook(ref: CompoundEntityRef, id: string) {
    return body(this.client.getRunbook({ path: { ...path(ref), id } }));
  }

  getLiveContext(ref: CompoundEntityRef) {
    return body(this.client.getLiveContext({ path: path(ref) }));
  }
}
