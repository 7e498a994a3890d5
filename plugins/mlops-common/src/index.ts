/**
 * Shared types, the Model kind schema, permissions and pure functions of ModelRails.
 *
 * @packageDocumentation
 */

export * from './duration';
export * from './model/policy';
export * from './model/entity';
export * from './model/jsonSchema';
export * from './model/describePolicy';
export * from './model/modelCard';
export * from './permissions';
export * from './api/types';
export * from './api/registry';
export * from './api/steps';
export * from './api/rollout';
export * from './api/runbooks';
export * from './format/format';
export * from './drift/driftMatrix';
