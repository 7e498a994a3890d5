/**
 * The embedded demo of the ModelRails backend, as a module of its own (`@modelrails/plugin-mlops-backend/demo`).
 *
 * @packageDocumentation
 */

export { mlopsDemoModule as default } from './demo/module';
