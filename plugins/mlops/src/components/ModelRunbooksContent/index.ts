export { ModelRunbooksContent } from './ModelRunbooksContent';
