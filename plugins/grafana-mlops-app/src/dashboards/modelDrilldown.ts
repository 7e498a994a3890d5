/* eslint-disable @typescript-eslint/no-deprecated -- plugin.json includes and file provisioning read the classic dashboard JSON (v1) */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { DEFAULT_CANARY_OPTIONS } from '../panels/canary/types';
import { DEFAULT_DRIFT_OPTIONS } from '../panels/drift/types';
import { DEFAULT_KPI_OPTIONS } from '../panels/kpi/types';
import { canaryPanel, DATASOURCE, driftPanel, kpiPanel, MlopsQueryBuilder, DRIFT_CELLS, modelRailsDashboard } from './builders';

export const MODEL_DRILLDOWN_UID = 'modelrails-model';

/** One model: its KPIs over time, each feature's drift with distributions, contract violations, the drift backtest, its rollout. */
export function modelDrilldown(): dashboard.Dashboard {
  const feature = new dashboard.QueryVariableBuilder('feature')
    .label('Feature')
    .description('Click a feature in the drift panel to set it')
    .datasource(DATASOURCE)
    .query('features(${model})')
    .definition('features(${model})')
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .allowCustomValue(true);
  return modelRailsDashboard({ title: 'ModelRails model drill-down', uid: MODEL_DRILLDOWN_UID, tags: ['modelrails-model'], description: "One model's KPIs, drift, contract and rollout", multiModel: false })
    .withVariable(feature)
    .withRow(new dashboard.RowBuilder('KPIs'))
    .withPanel(
      kpiPanel({ ...DEFAULT_KPI_OPTIONS, metrics: ['kpis', 'performance', 'latency_p95', 'latency_p99', 'error_rate', 'throughput', 'cost_per_1k'] })
        .title('KPIs: ${model}')
        .withTarget(new MlopsQueryBuilder('kpi').refId('K').model('${model}'))
        .withTarget(new MlopsQueryBuilder('performance').refId('P').model('${model}'))
        .gridPos({ x: 0, y: 1, w: 24, h: 10 }),
    )
    .withRow(new dashboard.RowBuilder('Drift'))
    .withPanel(
      driftPanel(DEFAULT_DRIFT_OPTIONS)
        .title('Drift by feature: ${model}')
        .description('Colours are the backend verdicts; click a feature for its reference and current distributions')
        .maxDataPoints(DRIFT_CELLS)
        .withTarget(new MlopsQueryBuilder('drift').refId('D').model('${model}').feature('${feature}'))
        .gridPos({ x: 0, y: 12, w: 16, h: 16 }),
    )
    .withPanel(
      new TableBuilder()
        .title('Contract violations')
        .datasource(DATASOURCE)
        // The drift panel's steps: the backend answers both panels' identical query once.
        .maxDataPoints(DRIFT_CELLS)
        .withTarget(new MlopsQueryBuilder('contract').refId('V').model('${model}'))
        .gridPos({ x: 16, y: 12, w: 8, h: 16 }),
    )
    .withPanel(
      new TableBuilder()
        .title('Drift backtest: did the alarms matter? ${model}')
        .description("Each feature's drift alarms over the policy's backtest window, against the KPI changes within its horizon after them")
        .datasource(DATASOURCE)
        .withTarget(new MlopsQueryBuilder('backtest').refId('B').model('${model}'))
        .gridPos({ x: 0, y: 28, w: 24, h: 8 }),
    )
    .withRow(new dashboard.RowBuilder('Rollout'))
    .withPanel(
      canaryPanel(DEFAULT_CANARY_OPTIONS)
        .title('Latest rollout: ${model}')
        .withTarget(new MlopsQueryBuilder('canary').refId('C').model('${model}'))
        .gridPos({ x: 0, y: 37, w: 24, h: 12 }),
    )
    .build();
}
