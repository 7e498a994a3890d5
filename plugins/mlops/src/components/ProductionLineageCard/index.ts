export { ProductionLineageCard } from './ProductionLineageCard';
