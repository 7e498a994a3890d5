/**
 * Catalog backend module that adds the ModelRails `Model` kind.
 *
 * @packageDocumentation
 */

export { catalogModuleMlops as default } from './module';
export { ModelEntityProcessor } from './processor/ModelEntityProcessor';
