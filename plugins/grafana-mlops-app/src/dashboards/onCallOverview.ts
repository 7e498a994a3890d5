/* eslint-disable @typescript-eslint/no-deprecated -- plugin.json includes and file provisioning read the classic dashboard JSON (v1) */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DEFAULT_CANARY_OPTIONS } from '../panels/canary/types';
import { DEFAULT_DRIFT_OPTIONS } from '../panels/drift/types';
import { DEFAULT_KPI_OPTIONS } from '../panels/kpi/types';
import { canaryPanel, driftPanel, kpiPanel, MlopsQueryBuilder, DRIFT_CELLS, modelRailsDashboard } from './builders';
import { MODEL_DRILLDOWN_UID } from './modelDrilldown';

export const ON_CALL_OVERVIEW_UID = 'modelrails-on-call';

/** Every model at a glance: SLOs first, then drift and the latest rollout per model (repeated). */
export function onCallOverview(): dashboard.Dashboard {
  return modelRailsDashboard({ title: 'ModelRails on-call overview', uid: ON_CALL_OVERVIEW_UID, tags: [], description: 'Which model needs attention now: SLO breaches, drifting features and rollouts', multiModel: true })
    .link(new dashboard.DashboardLinkBuilder('Model drill-down').type(dashboard.DashboardLinkType.Dashboards).tags(['modelrails-model']).includeVars(true).keepTime(true).asDropdown(false))
    .withRow(new dashboard.RowBuilder('SLOs'))
    .withPanel(
      kpiPanel(DEFAULT_KPI_OPTIONS)
        .title('Models: KPIs, latency, errors, cost per 1K')
        .description('Every model the token may read; models breaching an SLO come first')
        .withTarget(new MlopsQueryBuilder('kpi').refId('K'))
        .gridPos({ x: 0, y: 1, w: 24, h: 10 }),
    )
    .withRow(new dashboard.RowBuilder('Drift and rollouts by model').repeat('model'))
    .withPanel(
      driftPanel({ ...DEFAULT_DRIFT_OPTIONS, showValues: false })
        .title('Drift: ${model}')
        .maxDataPoints(DRIFT_CELLS)
        .withTarget(new MlopsQueryBuilder('drift').refId('D').model('${model}'))
        .links([new dashboard.DashboardLinkBuilder('Drill down').url(`/d/${MODEL_DRILLDOWN_UID}?var-model=\${model}&\${__url_time_range}`)])
        .gridPos({ x: 0, y: 12, w: 14, h: 9 }),
    )
    .withPanel(
      canaryPanel({ ...DEFAULT_CANARY_OPTIONS, showAnalysis: false, onlyTrafficChanges: true })
        .title('Latest rollout: ${model}')
        .withTarget(new MlopsQueryBuilder('canary').refId('C').model('${model}'))
        .gridPos({ x: 14, y: 12, w: 10, h: 9 }),
    )
    .build();
}
