export { AnnotatedModel } from './AnnotatedModel';
