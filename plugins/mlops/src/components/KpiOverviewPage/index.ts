export { KpiOverviewPage } from './KpiOverviewPage';
