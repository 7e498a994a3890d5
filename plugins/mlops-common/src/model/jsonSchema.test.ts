import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { modelEntityJsonSchema } from './jsonSchema';

const committedPath = join(__dirname, '../../schema/model.v1alpha1.schema.json');

describe('modelEntityJsonSchema', () => {
  it('matches the committed schema file (run generate:schema after changing the zod schema)', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8'));
    expect(committed).toEqual(modelEntityJsonSchema());
  });

  it('accepts the demo models and rejects what JSON Schema can express', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(modelEntityJsonSchema());
    const models = parseAllDocuments(
      readFileSync(join(__dirname, '../../../../catalog/models.yaml'), 'utf8'),
    ).map(d => d.toJS());
    for (const model of models) {
      expect({ name: model.metadata.name, valid: validate(model), errors: validate.errors }).toMatchObject({ valid: true });
    }
    const bad = { ...models[0], spec: { ...models[0].spec, lifecycle: 'live' } };
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.map(e => e.instancePath)).toContain('/spec/lifecycle');
  });
});
