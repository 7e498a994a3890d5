import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'fs';
import { globSync } from 'glob';
import { dirname, join, relative } from 'path';
import { pluginJsonSchema } from './pluginJsonSchema';

const src = join(__dirname);
const pluginFiles = globSync('**/plugin.json', { cwd: src }).sort();

describe('nested plugins', () => {
  it('ships the app, one data source and three panels with their agreed ids', () => {
    const ids = pluginFiles.map(f => {
      const json = JSON.parse(readFileSync(join(src, f), 'utf8'));
      return [f, json.type, json.id];
    });
    expect(ids).toEqual([
      ['datasource/plugin.json', 'datasource', 'modelrails-mlops-datasource'],
      ['panels/canary/plugin.json', 'panel', 'modelrails-canary-panel'],
      ['panels/drift/plugin.json', 'panel', 'modelrails-drift-panel'],
      ['panels/kpi/plugin.json', 'panel', 'modelrails-kpi-panel'],
      ['plugin.json', 'app', 'modelrails-mlops-app'],
    ]);
  });

  it.each(pluginFiles)('%s has a module, existing logos, and the Grafana version it needs', file => {
    const dir = dirname(join(src, file));
    const json = JSON.parse(readFileSync(join(src, file), 'utf8'));
    expect(existsSync(join(dir, 'module.ts')) || existsSync(join(dir, 'module.tsx'))).toBe(true);
    for (const logo of Object.values(json.info.logos) as string[]) {
      expect(existsSync(join(dir, logo))).toBe(true);
    }
    expect(json.dependencies.grafanaDependency).toBe('>=12.3.0');
    expect(typeof json.name).toBe('string');
    expect(relative(src, dir).includes('..')).toBe(false);
  });

  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(pluginJsonSchema);

  it.each(pluginFiles)("%s follows Grafana's plugin JSON schema", file => {
    const valid = validate(JSON.parse(readFileSync(join(src, file), 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema refuses what Grafana refuses: an unknown field, a bad id, a missing keyword list', () => {
    const app = JSON.parse(readFileSync(join(src, 'plugin.json'), 'utf8'));
    expect(validate({ ...app, colour: 'red' })).toBe(false);
    expect(validate({ ...app, id: 'ModelRails' })).toBe(false);
    expect(validate({ ...app, info: { ...app.info, keywords: [] } })).toBe(false);
    expect(validate({ ...app, includes: [{ type: 'widget', name: 'x' }] })).toBe(false);
  });

  it('the app lists every nested plugin it ships', () => {
    const app = JSON.parse(readFileSync(join(src, 'plugin.json'), 'utf8'));
    const nested = pluginFiles
      .filter(f => f !== 'plugin.json')
      .map(f => JSON.parse(readFileSync(join(src, f), 'utf8')))
      .map(p => ({ type: p.type, name: p.name }));
    const included = app.includes.filter((i: { type: string }) => i.type !== 'page' && i.type !== 'dashboard').map((i: { type: string; name: string }) => ({ type: i.type, name: i.name }));
    expect(included.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name))).toEqual(
      nested.sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('keeps the token out of the browser: the data source sends it only through its proxy route', () => {
    const ds = JSON.parse(readFileSync(join(src, 'datasource/plugin.json'), 'utf8'));
    expect(ds.routes).toEqual([
      {
        path: 'mlops',
        url: '{{ .JsonData.backstageUrl }}/api/mlops',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }],
      },
    ]);
  });
});
