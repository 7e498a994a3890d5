/* eslint-disable @typescript-eslint/no-deprecated -- plugin.json includes and file provisioning read the classic dashboard JSON (v1) */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { MlopsQuery, MlopsQueryType } from '../datasource/types';
import type { CanaryPanelOptions } from '../panels/canary/types';
import type { DriftPanelOptions } from '../panels/drift/types';
import type { KpiPanelOptions } from '../panels/kpi/types';

/*
 * Typed builders for our own data source and panels, so the shipped dashboards are checked by
 * the compiler against the query and options types the plugins read.
 */

export const DATASOURCE_TYPE = 'modelrails-mlops-datasource';
/** Dashboards pick the data source through a `datasource` variable, so they work with any instance. */
export const DATASOURCE = { type: DATASOURCE_TYPE, uid: '${datasource}' };

/** Steps a drift panel asks for at most (Grafana turns this into the query interval): cells stay readable. */
export const DRIFT_CELLS = 48;

type QueryModel = Omit<MlopsQuery, 'refId' | 'hide'> & { refId?: string; hide?: boolean; datasource?: typeof DATASOURCE; _implementsDataqueryVariant(): void };

export class MlopsQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: QueryModel;

  constructor(queryType: MlopsQueryType) {
    this.internal = { queryType, datasource: DATASOURCE, _implementsDataqueryVariant() {} };
  }

  build(): QueryModel {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  model(model: string): this {
    this.internal.model = model;
    return this;
  }

  feature(feature: string): this {
    this.internal.feature = feature;
    return this;
  }

  segment(segment: string): this {
    this.internal.segment = segment;
    return this;
  }
}

class MlopsPanelBuilder<Options extends object> extends dashboard.PanelBuilder {
  constructor(type: string, defaults: Options) {
    super();
    this.internal.type = type;
    this.internal.datasource = DATASOURCE;
    this.internal.options = { ...defaults };
  }

  option<K extends keyof Options>(key: K, value: Options[K]): this {
    (this.internal.options as Options)[key] = value;
    return this;
  }
}

export const driftPanel = (defaults: DriftPanelOptions) => new MlopsPanelBuilder<DriftPanelOptions>('modelrails-drift-panel', defaults);
export const canaryPanel = (defaults: CanaryPanelOptions) => new MlopsPanelBuilder<CanaryPanelOptions>('modelrails-canary-panel', defaults);
export const kpiPanel = (defaults: KpiPanelOptions) => new MlopsPanelBuilder<KpiPanelOptions>('modelrails-kpi-panel', defaults);

function datasourceVariable() {
  return new dashboard.DatasourceVariableBuilder('datasource').label('ModelRails').type(DATASOURCE_TYPE);
}

/** The models the data source's token may read (value `namespace/name`, text the title). */
function modelVariable(options: { multi: boolean }) {
  const variable = new dashboard.QueryVariableBuilder('model')
    .label('Model')
    .datasource(DATASOURCE)
    .query('models()')
    .definition('models()')
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc)
    .multi(options.multi);
  return options.multi ? variable.includeAll(true) : variable;
}

/** Promotions and rollouts of the model variable's models, on every time axis. */
function eventAnnotations() {
  return new dashboard.AnnotationQueryBuilder()
    .name('Promotions and rollouts')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('purple')
    .target(new MlopsQueryBuilder('annotations').refId('Anno').model('$model'));
}

/**
 * What every ModelRails dashboard starts with: the last day refreshed each minute, the data source
 * and model variables, and the models' promotions and rollouts as annotations.
 */
export function modelRailsDashboard(options: { title: string; uid: string; tags: string[]; description: string; multiModel: boolean }) {
  return new dashboard.DashboardBuilder(options.title)
    .uid(options.uid)
    .tags(['modelrails', 'mlops', ...options.tags])
    .description(options.description)
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .editable()
    .withVariable(datasourceVariable())
    .withVariable(modelVariable({ multi: options.multiModel }))
    .annotation(eventAnnotations());
}
