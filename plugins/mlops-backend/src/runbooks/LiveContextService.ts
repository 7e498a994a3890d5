import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ContractViolation, LiveContext, mlopsRolloutActionPermissions, OpenAlert, ProductionStory, RunbookAction, RunbookList } from '@modelrails/plugin-mlops-common';
import { DriftReport } from '../drift/DriftService';
import { RolloutStore } from '../rollout';
import { RolloutRecord } from '../rollout/RolloutStore';
import { ALL_TRAFFIC } from '../telemetry/constants';

type ModelRef = { namespace: string; name: string };

/** A rolled-back canary stays an open alert this long: someone should read why. */
export const CANARY_ROLLBACK_ALERT_MS = 24 * 3600_000;

/** A rollout rolled back recently enough to be an open alert (live context and alert gauge). */
export const recentlyRolledBack = (r: Pick<RolloutRecord, 'status' | 'endedAt'>, now: number) =>
  r.status === 'rolled-back' && r.endedAt !== null && now - r.endedAt <= CANARY_ROLLBACK_ALERT_MS;
const TOP_DRIFTING = 5;

export type LiveContextSources = {
  driftReport(modelRef: string): Promise<DriftReport>;
  rollouts: Pick<RolloutStore, 'list' | 'decisions'>;
  production(model: ModelRef): Promise<{ modelRef: string } & Partial<{ version: string; since: string; setBy: string | null; approvedBy: string; override: boolean }>>;
  /** What production traffic reaches beside the champion alias (the registry's production story). */
  story(modelRef: string): Promise<Pick<ProductionStory, 'servingVersion' | 'awaitingDeployment'>>;
  runbooks(model: ModelRef, credentials: BackstageCredentials): Promise<RunbookList>;
  permissions: PermissionsService;
  now?: () => number;
};

const segmentText = (segment: string) => (segment === ALL_TRAFFIC ? '' : ` (${segment})`);

/** One line for a contract violation, e.g. "user_country: type change, 100 % of values (limit 1 %)". */
export function violationSummary(v: ContractViolation): string {
  return `${v.feature}: ${v.check.replace(/-/g, ' ')}${segmentText(v.segment)}, ${(v.value * 100).toFixed(v.value < 0.1 ? 1 : 0)} % of values (limit ${(v.threshold * 100).toFixed(0)} %)`;
}

/** The open alerts of a model, from its current drift report and its rollouts. */
export function openAlerts(report: DriftReport, rollouts: RolloutRecord[], byAlert: RunbookList['byAlert'], now: number): OpenAlert[] {
  const alerts: OpenAlert[] = [];
  for (const v of report.violations.filter(x => x.open && x.flagged)) {
    alerts.push({
      kind: 'contract-violation',
      severity: 'page',
      summary: violationSummary(v),
      feature: v.feature,
      segment: v.segment,
      since: v.firstBucket,
      runbookId: byAlert['contract-violation'],
    });
  }
  for (const f of report.features.filter(x => x.flagged && (x.severity === 'warning' || x.severity === 'critical'))) {
    const measure = f.test === 'psi' && f.psi !== null ? `PSI ${f.psi.toFixed(2)}` : `p = ${f.pValue === null ? '–' : f.pValue.toPrecision(2)} (${f.test})`;
    alerts.push({
      kind: 'data-drift',
      severity: 'warning',
      summary: `${f.feature}${f.kind === 'target' ? ' (target)' : ''}: ${f.severity} drift${segmentText(f.segment)}, ${measure}`,
      feature: f.feature,
      segment: f.segment,
      since: report.window.from,
      runbookId: byAlert['data-drift'],
    });
  }
  for (const r of rollouts.filter(x => recentlyRolledBack(x, now))) {
    alerts.push({
      kind: 'canary-rollback',
      severity: 'page',
      summary: `v${r.version} rolled back${r.headline ? `: ${r.headline}` : ''}`,
      since: new Date(r.endedAt!).toISOString(),
      runbookId: byAlert['canary-rollback'],
    });
  }
  return alerts;
}

/** What is going on with a model now, beside its runbooks, with the actions the caller may take. */
export interface LiveContextService {
  read(model: ModelRef, credentials: BackstageCredentials): Promise<LiveContext>;
}

/** Reads what an on-call engineer needs beside a runbook, and which actions the caller may take. */
export class DefaultLiveContextService implements LiveContextService {
  constructor(private readonly sources: LiveContextSources) {}

  private async action(
    credentials: BackstageCredentials,
    modelRef: string,
    rollout: RolloutRecord,
    action: 'rollback' | 'pause',
    label: string,
  ): Promise<RunbookAction> {
    const permission = mlopsRolloutActionPermissions[action];
    const [{ result }] = await this.sources.permissions.authorize([{ permission, resourceRef: modelRef }], { credentials });
    const allowed = result === AuthorizeResult.ALLOW;
    return {
      action,
      rolloutId: rollout.id,
      label,
      allowed,
      permission: permission.name,
      ...(allowed ? {} : { refusal: `Not allowed: ${permission.name} on ${modelRef}` }),
    };
  }

  async read(model: ModelRef, credentials: BackstageCredentials): Promise<LiveContext> {
    const { sources } = this;
    const now = (sources.now ?? Date.now)();
    const modelRef = stringifyEntityRef({ kind: 'model', ...model });
    const runbooks = await sources.runbooks(model, credentials);
    const [report, rollouts, production, story] = await Promise.all([
      sources.driftReport(modelRef),
      sources.rollouts.list({ modelRef, limit: 20 }),
      sources.production(model),
      sources.story(modelRef),
    ]);
    const newest = rollouts[0];
    const [lastDecision] = newest ? await sources.rollouts.decisions(newest.id, 1) : [];

    const actions: RunbookAction[] = [];
    if (newest && newest.champion !== null && newest.status !== 'rolled-back' && newest.status !== 'aborted') {
      const label =
        newest.status === 'succeeded' ? `Roll back to v${newest.champion} (the warm standby)` : `Roll back: all traffic to v${newest.champion}, v${newest.version} scaled down`;
      actions.push(await this.action(credentials, modelRef, newest, 'rollback', label));
    }
    if (newest?.status === 'running') {
      actions.push(await this.action(credentials, modelRef, newest, 'pause', `Pause the rollout of v${newest.version} at ${newest.weight} %`));
    }

    return {
      modelRef,
      at: new Date(now).toISOString(),
      alerts: openAlerts(report, rollouts, runbooks.byAlert, now),
      rollout: newest
        ? {
            id: newest.id,
            version: newest.version,
            champion: newest.champion,
            status: newest.status,
            stage: newest.stage,
            weight: newest.weight,
            headline: newest.headline,
            lastDecision: lastDecision ? { at: lastDecision.at, action: lastDecision.action, actor: lastDecision.actor, reason: lastDecision.reason } : null,
          }
        : null,
      topDrifting: report.features
        .filter(f => f.test !== 'none')
        .sort((a, b) => Number(b.flagged) - Number(a.flagged) || (b.psi ?? -1) - (a.psi ?? -1))
        .slice(0, TOP_DRIFTING)
        .map(f => ({ feature: f.feature, segment: f.segment, test: f.test, psi: f.psi, pValue: f.pValue, severity: f.severity })),
      lastDeploy: production.version
        ? {
            version: production.version,
            since: production.since!,
            setBy: production.setBy ?? null,
            approvedBy: production.approvedBy ?? null,
            override: !!production.override,
            servingVersion: story.servingVersion,
            awaitingDeployment: story.awaitingDeployment,
          }
        : null,
      actions,
    };
  }
}
