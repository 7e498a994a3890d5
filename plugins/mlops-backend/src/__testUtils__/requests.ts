import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/*
 * Requests for every operation of openapi.yaml, built from the spec itself with the values a
 * well-behaved caller would send: what the hostile-input and the permission-matrix tests start from.
 */

export const spec = parse(readFileSync(resolvePackagePath('@modelrails/plugin-mlops-backend', 'src/schema/openapi.yaml'), 'utf8'));
export const MODEL = 'model:default/home-feed-ranker';
const NOW = Date.now();

export type Schema = Record<string, any>;
export const deref = (schema: Schema): Schema => {
  if (!schema?.$ref) return schema ?? {};
  const path = String(schema.$ref).replace(/^#\//, '').split('/');
  return deref(path.reduce((node: any, key) => node[key], spec));
};

/** A value a well-behaved caller would send for a field of this name. */
function realisticString(name: string, schema: Schema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...schema.enum.map(String));
  if (schema.format === 'date-time' || /^(time|from|to|at|expiresAt|startedAt|finishedAt)$/.test(name)) {
    return fc.integer({ min: 1, max: 120 }).map(minutes => new Date(NOW - minutes * 60_000).toISOString());
  }
  const byName: Record<string, fc.Arbitrary<string>> = {
    model: fc.constant(MODEL),
    modelRef: fc.constant(MODEL),
    entityRef: fc.constant(MODEL),
    namespace: fc.constant('default'),
    name: fc.constant('home-feed-ranker'),
    // The registered versions, or a new one (so a registration reaches the database, not a 409).
    version: fc.oneof(fc.constantFrom('17', '18'), fc.uuid().map(id => `v${id.slice(0, 8)}`)),
    champion: fc.constant('17'),
    challenger: fc.constant('18'),
    outcome: fc.constantFrom('click', 'purchase'),
    environment: fc.constant('production'),
    window: fc.constantFrom('1h', '24h', '7d'),
    step: fc.constantFrom('5m', '1h'),
    digest: fc.constant(`sha256:${'a'.repeat(64)}`),
    uri: fc.constant('s3://models/home-feed-ranker/model.txt'),
    url: fc.constant('https://ci.example.com/runs/1'),
    createdBy: fc.constant('user:default/alice'),
  };
  if (byName[name]) return byName[name];
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter(s => s.length <= (schema.maxLength ?? 64));
  return fc.uuid().map(id => `${name}-${id.slice(0, 8)}`);
}

/** A request body, query or parameter the schema accepts, built from realistic values. */
export function realistic(given: Schema, name = ''): fc.Arbitrary<unknown> {
  const schema = deref(given);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.oneOf || schema.anyOf) return realistic((schema.oneOf ?? schema.anyOf)[0], name);
  if (schema.allOf) return realistic(Object.assign({}, ...schema.allOf.map(deref)), name);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return realisticString(name, schema);
    case 'integer':
      if (schema.enum) return fc.constantFrom(...(schema.enum as number[]));
      return fc.integer({ min: Math.max(schema.minimum ?? 0, 0), max: Math.min(schema.maximum ?? 1000, 1000) });
    case 'number':
      return fc.double({ min: Math.max(schema.minimum ?? 0, 0), max: Math.min(schema.maximum ?? 1, 1), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(realistic(schema.items ?? {}, name), { minLength: Math.max(schema.minItems ?? 0, 1), maxLength: Math.max(schema.minItems ?? 0, 2) });
    case 'object':
    default: {
      const properties: Record<string, Schema> = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) record[key] = realistic(value, key);
      const fixed = fc.record(record, { requiredKeys: schema.required ?? [] });
      if (!schema.additionalProperties || Object.keys(properties).length) return fixed;
      const values = schema.additionalProperties === true || !Object.keys(schema.additionalProperties).length
        ? fc.oneof(fc.double({ noNaN: true, min: -10, max: 10 }), fc.constantFrom('DE', 'US'))
        : realistic(schema.additionalProperties, name);
      return fc.dictionary(fc.constantFrom('user_age', 'user_country', 'region', 'item_price'), values, { maxKeys: 3 });
    }
  }
}

export type Operation = { method: string; path: string; operationId: string; parameters: Schema[]; body?: Schema };
export const operations: Operation[] = Object.entries(spec.paths as Record<string, Record<string, Schema>>).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({
    method,
    path,
    operationId: op.operationId,
    parameters: (op.parameters ?? []).map(deref),
    body: op.requestBody?.content?.['application/json']?.schema,
  })),
);

