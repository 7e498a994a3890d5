// Writes a typed router module from an OpenAPI 3.1 spec, in the shape Backstage's repo-tools
// generates (`spec` as a const + `createOpenApiRouter`), so route handlers are typed by the spec.
// Usage: node scripts/generate-openapi-router.mjs <spec.yaml> <out.ts> [--check]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { parse } from 'yaml';

const [specPath, outPath, flag] = process.argv.slice(2);
if (!specPath || !outPath) {
  console.error('usage: generate-openapi-router.mjs <spec.yaml> <out.ts> [--check]');
  process.exit(2);
}
const spec = parse(readFileSync(specPath, 'utf8'));
const source = `//
// Generated from ${relative(dirname(outPath), specPath)} by scripts/generate-openapi-router.mjs. Do not edit.
//

import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`;

if (flag === '--check') {
  let current = '';
  try {
    current = readFileSync(outPath, 'utf8');
  } catch {}
  if (current !== source) {
    console.error(`${outPath} is out of date: run the generate:openapi script`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, source);
}
