import { z } from 'zod';
import { modelEntitySchema } from './entity';

/**
 * The Model kind as JSON Schema (draft 2020-12), derived from the zod schema so there is one
 * source of truth. It describes what a catalog-info.yaml may contain (policy defaults optional);
 * checks JSON Schema cannot express (entity reference kinds, increasing rollout weights) are
 * applied by the zod schema in the catalog processor.
 * @public
 */
export function modelEntityJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(modelEntitySchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://modelrails.io/schema/model.v1alpha1.json',
    title: 'ModelRails Model entity',
    description:
      'A machine-learning model registered in the Backstage catalog (apiVersion modelrails.io/v1alpha1, kind Model).',
  };
}
