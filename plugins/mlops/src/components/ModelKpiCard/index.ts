export { ModelKpiCard } from './ModelKpiCard';
