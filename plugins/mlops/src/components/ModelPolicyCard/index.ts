export { ModelPolicyCard } from './ModelPolicyCard';
