export { ModelPerformanceCard } from './ModelPerformanceCard';
