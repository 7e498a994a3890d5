/*
 * The rules Grafana's plugin JSON schema (docs/sources/developers/plugins/plugin.schema.json in
 * grafana/grafana, not published in any npm package) sets for the fields our plugins use,
 * restated as a JSON Schema: required fields, id and version patterns, allowed enums and no
 * unknown properties. Checked by plugins.test.ts with ajv.
 */
const PLUGIN_ID = '^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$';

const strict = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', additionalProperties: false, required, properties });
const string = { type: 'string' };
const boolean = { type: 'boolean' };

export const pluginJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema',
  ...strict(
    {
      $schema: string,
      id: { type: 'string', pattern: PLUGIN_ID },
      type: { enum: ['app', 'datasource', 'panel', 'renderer', 'secretsmanager', 'transformer'] },
      name: string,
      info: strict(
        {
          author: strict({ name: string, email: { type: 'string', format: 'email' }, url: { type: 'string', format: 'uri' } }),
          description: string,
          keywords: { type: 'array', minItems: 1, items: string },
          links: { type: 'array', items: strict({ name: string, url: { type: 'string', format: 'uri' } }) },
          logos: strict({ small: string, large: string }, ['small', 'large']),
          screenshots: { type: 'array', items: strict({ name: string, path: string }) },
          updated: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2}|%TODAY%)$' },
          version: { type: 'string', pattern: '^((0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)|%VERSION%)$' },
          build: { type: 'object' },
        },
        ['logos', 'version', 'updated', 'keywords'],
      ),
      dependencies: strict(
        {
          grafanaVersion: string,
          grafanaDependency: { type: 'string', pattern: '^(<=|>=|<|>|=|~|\\^)?([0-9]+)(\\.[0-9x\\*]+)(\\.[0-9x\\*]+)?(\\s(<=|>=|<|=>)?([0-9]+)(\\.[0-9x]+)(\\.[0-9x]+))?$' },
          plugins: {
            type: 'array',
            items: { type: 'object', required: ['id', 'name', 'type', 'version'], properties: { id: { type: 'string', pattern: PLUGIN_ID }, type: { enum: ['app', 'datasource', 'panel', 'secretsmanager'] }, name: string, version: string } },
          },
        },
        ['grafanaDependency'],
      ),
      alerting: boolean,
      annotations: boolean,
      autoEnabled: boolean,
      backend: boolean,
      category: { enum: ['tsdb', 'logging', 'cloud', 'tracing', 'profiling', 'sql', 'enterprise', 'iot', 'other'] },
      executable: string,
      logs: boolean,
      metrics: boolean,
      preload: boolean,
      includes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            uid: string,
            type: { enum: ['dashboard', 'page', 'panel', 'datasource', 'secretsmanager'] },
            name: string,
            role: { enum: ['Admin', 'Editor', 'Viewer'] },
            path: string,
            addToNav: boolean,
            defaultNav: boolean,
            icon: string,
          },
        },
      },
      queryOptions: strict({ maxDataPoints: boolean, minInterval: boolean, cacheTimeout: boolean }),
      routes: {
        type: 'array',
        items: strict({ path: string, method: string, url: string, reqSignedIn: boolean, reqRole: string, headers: { type: 'array' }, body: { type: 'object' }, tokenAuth: { type: 'object' }, jwtTokenAuth: { type: 'object' }, urlParams: { type: 'array' } }),
      },
    },
    ['type', 'name', 'id', 'info', 'dependencies'],
  ),
};
