/**
 * The ModelRails portal plugin: Model entity pages, lineage, promotion sign-off and runbooks.
 *
 * @packageDocumentation
 */

export { mlopsPlugin as default } from './plugin';
export { mlopsApiRef, MlopsClient } from './api/MlopsApi';
export type { MlopsApi, PromotionView, RolloutAction } from './api/MlopsApi';
