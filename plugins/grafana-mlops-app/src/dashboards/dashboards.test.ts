import fs from 'fs';
import path from 'path';
import { DASHBOARDS } from './index';
import { DRIFT_CELLS } from './builders';
import { QUERY_TYPES } from '../datasource/types';
import { DEFAULT_CANARY_OPTIONS } from '../panels/canary/types';
import { DEFAULT_DRIFT_OPTIONS } from '../panels/drift/types';
import { DEFAULT_KPI_OPTIONS } from '../panels/kpi/types';

type Json = Record<string, any>;
const ours: Record<string, object> = {
  'modelrails-drift-panel': DEFAULT_DRIFT_OPTIONS,
  'modelrails-canary-panel': DEFAULT_CANARY_OPTIONS,
  'modelrails-kpi-panel': DEFAULT_KPI_OPTIONS,
};
const appPlugin = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'plugin.json'), 'utf8'));
const panelsOf = (d: Json): Json[] => d.panels.flatMap((p: Json) => [p, ...(p.panels ?? [])]).filter((p: Json) => p.type !== 'row');

describe.each(DASHBOARDS.map(d => [d.file, d.build() as Json]))('dashboard %s', (file, dashboard) => {
  it("is listed in the app's plugin.json and has a stable uid", () => {
    expect(appPlugin.includes).toContainEqual(expect.objectContaining({ type: 'dashboard', path: `dashboards/${file}` }));
    expect(dashboard.uid).toMatch(/^modelrails-/);
  });

  it('reads only through the ModelRails data source variable, with known query types', () => {
    const variables = dashboard.templating.list;
    expect(variables[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'modelrails-mlops-datasource' });
    expect(variables.find((v: Json) => v.name === 'model')).toMatchObject({ query: 'models()', datasource: { uid: '${datasource}' } });
    for (const panel of panelsOf(dashboard)) {
      expect(panel.datasource).toEqual({ type: 'modelrails-mlops-datasource', uid: '${datasource}' });
      for (const target of panel.targets) {
        expect(QUERY_TYPES.map(q => q.value)).toContain(target.queryType);
      }
    }
    for (const annotation of dashboard.annotations.list) {
      expect(annotation.target).toMatchObject({ queryType: 'annotations', model: '$model' });
    }
  });

  it('asks drift and contract queries with the same steps, so one backend answer serves both', () => {
    const seriesPanels = panelsOf(dashboard).filter(p => p.targets.some((t: Json) => ['drift', 'contract'].includes(t.queryType)));
    expect(seriesPanels.length).toBeGreaterThan(0);
    for (const panel of seriesPanels) {
      expect([panel.title, panel.maxDataPoints]).toEqual([panel.title, DRIFT_CELLS]);
    }
  });

  it("sets every option of our panels, and nothing they don't read", () => {
    for (const panel of panelsOf(dashboard).filter(p => ours[p.type])) {
      expect(Object.keys(panel.options).sort()).toEqual(Object.keys(ours[panel.type]).sort());
    }
  });

  it('lays panels out without overlaps within the 24-column grid', () => {
    const boxes = dashboard.panels.map((p: Json) => p.gridPos);
    for (const [i, a] of boxes.entries()) {
      expect(a.x + a.w).toBeLessThanOrEqual(24);
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    }
  });
});

it('the drill-down passes the feature variable to the drift query that the drift panel sets', () => {
  const drilldown = DASHBOARDS.find(d => d.file === 'model-drilldown.json')!.build() as Json;
  const drift = panelsOf(drilldown).find(p => p.type === 'modelrails-drift-panel')!;
  expect(drift.targets[0]).toMatchObject({ queryType: 'drift', model: '${model}', feature: `\${${drift.options.featureVariable}}` });
  expect(drilldown.templating.list.map((v: Json) => v.name)).toEqual(['datasource', 'model', 'feature']);
});
