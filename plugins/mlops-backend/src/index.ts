/**
 * The ModelRails backend plugin (plugin id `mlops`).
 *
 * @packageDocumentation
 */

export { mlopsPlugin as default } from './plugin';
export { mlopsFileUrlReaderServiceFactory } from './runbooks/LocalFileUrlReader';
export { mlopsModelCardUrlReaderServiceFactory } from './modelcard/ModelCardUrlReader';
export { mlopsStartupTurnsDatabaseServiceFactory } from './database/startupTurns';
export { mlopsModelConditions, createMlopsModelConditionalDecision } from './permissions/rules';
export type { ModelQuery } from './permissions/rules';
export { ModelRailsPermissionPolicy } from './permissions/ModelRailsPermissionPolicy';
