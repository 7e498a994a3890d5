import { Entity } from '@backstage/catalog-model';
import { MODEL_KIND } from '@modelrails/plugin-mlops-common';

/**
 * The annotation by which another catalog entity (an `ai-model` Resource, for instance) names the
 * ModelRails Model it is: its page then shows the Model's Drift and Rollouts tabs.
 */
export const MODEL_ANNOTATION = 'modelrails.io/model';

/** Whether an entity other than a Model names one through `modelrails.io/model`. */
export function namesModel(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') !== MODEL_KIND.toLocaleLowerCase('en-US') && !!entity.metadata.annotations?.[MODEL_ANNOTATION];
}
