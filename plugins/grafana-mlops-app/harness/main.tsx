import './boot';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { DataQueryRequest, dateTime, getDefaultTimeRange, LoadingState, PanelData, PanelPlugin, ThemeContext } from '@grafana/data';
import { config, locationService, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { from, lastValueFrom } from 'rxjs';
import { DASHBOARDS } from '../src/dashboards';
import { MlopsDataSource } from '../src/datasource/datasource';
import { MlopsQuery } from '../src/datasource/types';
import { plugin as canary } from '../src/panels/canary/module';
import { plugin as drift } from '../src/panels/drift/module';
import { plugin as kpi } from '../src/panels/kpi/module';
import { fetchBackendSrv } from './backendSrv';
import { urlTemplateSrv } from './templateSrv';

/*
 * ?dashboard=<file>&panel=<panel type>&var-model=…&theme=dark|light&hours=24&width=&height=
 * renders that panel of that shipped dashboard, with its queries and options, through the data
 * source's real query path.
 */
const PANELS: Record<string, PanelPlugin> = { 'modelrails-drift-panel': drift, 'modelrails-canary-panel': canary, 'modelrails-kpi-panel': kpi };
const params = new URLSearchParams(window.location.search);
const templateSrv = urlTemplateSrv();
setTemplateSrv(templateSrv);
setBackendSrv(fetchBackendSrv());

type PanelJson = { title: string; type: string; targets: MlopsQuery[]; options: object; maxDataPoints?: number };
const dashboard = DASHBOARDS.find(d => d.file === params.get('dashboard'))?.build();
const panelJson = (dashboard?.panels ?? []).find(p => p.type === params.get('panel')) as unknown as PanelJson | undefined;
const plugin = panelJson ? PANELS[panelJson.type] : undefined;
const width = Number(params.get('width') ?? 1100);
const height = Number(params.get('height') ?? 520);
const datasource = new MlopsDataSource({
  id: 1,
  uid: 'modelrails',
  type: 'modelrails-mlops-datasource',
  name: 'ModelRails',
  url: '/api/datasources/proxy/uid/modelrails',
  jsonData: {},
  meta: {},
  readOnly: true,
  access: 'proxy',
} as never);

function timeRange() {
  const to = dateTime();
  return { from: dateTime(to).subtract(Number(params.get('hours') ?? 24), 'hours'), to, raw: { from: `now-${params.get('hours') ?? 24}h`, to: 'now' } };
}

/** One panel as Grafana's panel chrome runs it: query on load and on variable change, then render. */
function HarnessPanel({ panelJson, plugin }: { panelJson: PanelJson; plugin: PanelPlugin }) {
  const [data, setData] = useState<PanelData>({ series: [], state: LoadingState.Loading, timeRange: getDefaultTimeRange() });
  const [revision, setRevision] = useState(0);
  useEffect(() => locationService.getHistory().listen(() => setRevision(r => r + 1)), []);
  useEffect(() => {
    const range = timeRange();
    // As Grafana: the panel's max data points (else its width) sets the query interval.
    const maxDataPoints = panelJson.maxDataPoints ?? width;
    const request = {
      targets: panelJson.targets,
      range,
      intervalMs: Math.round((range.to.valueOf() - range.from.valueOf()) / maxDataPoints),
      maxDataPoints,
      scopedVars: {},
      timezone: 'utc',
      app: 'dashboard',
      requestId: `harness-${revision}`,
      startTime: Date.now(),
    } as unknown as DataQueryRequest<MlopsQuery>;
    setData(d => ({ ...d, state: LoadingState.Loading }));
    // DataSourceApi.query answers a Promise or an Observable, as in Grafana.
    lastValueFrom(from(datasource.query(request)))
      .then(response => setData({ series: response.data, state: LoadingState.Done, timeRange: range }))
      .catch((error: { message?: string; data?: { error?: { message?: string } }; status?: number }) =>
        setData({ series: [], state: LoadingState.Error, errors: [{ message: error.data?.error?.message ? `ModelRails answered ${error.status}: ${error.data.error.message}` : String(error.message ?? error) }], timeRange: range }),
      )
      .finally(() => document.body.setAttribute('data-revision', String(revision)));
  }, [revision]);
  const Panel = plugin.panel!;
  const title = templateSrv.replace(panelJson.title);
  return (
    <section aria-label={title} data-state={data.state} style={{ width, margin: 16, border: `1px solid ${config.theme2.colors.border.weak}`, borderRadius: 4, background: config.theme2.colors.background.primary }}>
      <h2 style={{ fontSize: 14, margin: 0, padding: '6px 8px' }}>{title}</h2>
      <div style={{ padding: 8 }}>
        <Panel
          id={1}
          data={data}
          timeRange={data.timeRange}
          timeZone="utc"
          options={{ ...panelJson.options, ...JSON.parse(params.get('options') ?? '{}') }}
          fieldConfig={{ defaults: {}, overrides: [] }}
          transparent={false}
          width={width - 16}
          height={height}
          renderCounter={revision}
          title={title}
          eventBus={undefined as never}
          onOptionsChange={() => undefined}
          onFieldConfigChange={() => undefined}
          replaceVariables={(text: string) => templateSrv.replace(text)}
          onChangeTimeRange={() => undefined}
        />
      </div>
    </section>
  );
}

/** Without ?dashboard=…&panel=…: every ModelRails panel of every shipped dashboard, for the demo's models. */
function Index() {
  const models = ['default/home-feed-ranker', 'default/ad-ctr-predictor', 'default/fraud-scorer'];
  return (
    <main style={{ margin: 16 }}>
      <h1 style={{ fontSize: 20 }}>ModelRails panels (Grafana harness)</h1>
      <p>Each link renders one shipped panel with the real @grafana/ui through the data source's query path and proxy route.</p>
      {DASHBOARDS.map(d => (
        <section key={d.file}>
          <h2 style={{ fontSize: 16 }}>{d.build().title}</h2>
          <ul>
            {(d.build().panels ?? [])
              .filter(p => p.type && PANELS[p.type])
              .flatMap(p =>
                models.map(model => (
                  <li key={`${p.type}-${model}`}>
                    <a href={`?dashboard=${d.file}&panel=${p.type}&var-model=${model}&hours=24`}>
                      {templateSrv.replace((p as { title?: string }).title ?? p.type ?? '', { model: { text: model, value: model } } as never)} — {model}
                    </a>
                  </li>
                )),
              )}
          </ul>
        </section>
      ))}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={config.theme2}>
    <GlobalStyles />
    {panelJson && plugin ? <HarnessPanel panelJson={panelJson} plugin={plugin} /> : <Index />}
  </ThemeContext.Provider>,
);
