/**
 * Extension points of the ModelRails backend plugin (`mlops`): traffic routers and retraining
 * actions that backend modules add.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './traffic';
export * from './retraining';
