export { ModelRolloutsContent } from './ModelRolloutsContent';
