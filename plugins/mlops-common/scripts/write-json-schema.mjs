// Writes schema/model.v1alpha1.schema.json from the zod schema (run through the package's
// generate:schema script); a test fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The schema module is TypeScript: load it through the same transform jest uses.
require('@backstage/cli/config/nodeTransform.cjs');
const { modelEntityJsonSchema } = require('../src/model/jsonSchema.ts');

writeFileSync(
  new URL('../schema/model.v1alpha1.schema.json', import.meta.url),
  `${JSON.stringify(modelEntityJsonSchema(), null, 2)}\n`,
);
