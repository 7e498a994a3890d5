import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MODEL_KIND } from '@modelrails/plugin-mlops-common';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import AssessmentIcon from '@material-ui/icons/Assessment';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import { mlopsApiRef, MlopsClient } from './api/MlopsApi';
import { namesModel } from './lib/modelAnnotation';
import { kpiOverviewRouteRef, lineageRouteRef, promotionsRouteRef } from './routes';

const isModel = { kind: MODEL_KIND.toLocaleLowerCase('en-US') };

const mlopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MlopsClient(deps),
    }),
});

const modelPolicyCard = EntityCardBlueprint.make({
  name: 'model-policy',
  params: {
    filter: isModel,
    type: 'content',
    loader: () =>
      import('./components/ModelPolicyCard').then(m => <m.ModelPolicyCard />),
  },
});

const modelKpiCard = EntityCardBlueprint.make({
  name: 'model-kpis',
  params: {
    filter: isModel,
    type: 'content',
    loader: () => import('./components/ModelKpiCard').then(m => <m.ModelKpiCard />),
  },
});

const modelPerformanceCard = EntityCardBlueprint.make({
  name: 'model-performance',
  params: {
    filter: isModel,
    type: 'content',
    loader: () => import('./components/ModelPerformanceCard').then(m => <m.ModelPerformanceCard />),
  },
});

const productionLineageCard = EntityCardBlueprint.make({
  name: 'production-lineage',
  params: {
    filter: isModel,
    type: 'info',
    loader: () => import('./components/ProductionLineageCard').then(m => <m.ProductionLineageCard />),
  },
});

const modelVersionsContent = EntityContentBlueprint.make({
  name: 'model-versions',
  params: {
    path: 'versions',
    title: 'Versions',
    filter: isModel,
    loader: () => import('./components/ModelVersionsCard').then(m => <m.ModelVersionsCard />),
  },
});

const modelDriftContent = EntityContentBlueprint.make({
  name: 'model-drift',
  params: {
    path: 'drift',
    title: 'Drift',
    filter: isModel,
    loader: () => import('./components/ModelDriftContent').then(m => <m.ModelDriftContent />),
  },
});

const modelRolloutsContent = EntityContentBlueprint.make({
  name: 'model-rollouts',
  params: {
    path: 'rollouts',
    title: 'Rollouts',
    filter: isModel,
    loader: () => import('./components/ModelRolloutsContent').then(m => <m.ModelRolloutsContent />),
  },
});

const modelRunbooksContent = EntityContentBlueprint.make({
  name: 'model-runbooks',
  params: {
    path: 'runbooks',
    title: 'Runbooks',
    filter: isModel,
    loader: () => import('./components/ModelRunbooksContent').then(m => <m.ModelRunbooksContent />),
  },
});

/**
 * The same Drift and Rollouts tabs on another entity that names a Model through the
 * `modelrails.io/model` annotation: an `ai-model` Resource registered by Red Hat Developer Hub's
 * model catalog bridge, for instance. The content is the named Model's.
 */
function annotatedModelContent<Tab extends 'drift' | 'rollouts'>(tab: Tab, title: string, content: () => Promise<JSX.Element>) {
  return EntityContentBlueprint.make({
    name: `annotated-model-${tab}` as const,
    params: {
      path: tab,
      title,
      filter: namesModel,
      loader: () => Promise.all([import('./components/AnnotatedModel'), content()]).then(([a, element]) => <a.AnnotatedModel>{element}</a.AnnotatedModel>),
    },
  });
}

const annotatedModelDriftContent = annotatedModelContent('drift', 'Drift', () => import('./components/ModelDriftContent').then(m => <m.ModelDriftContent />));
const annotatedModelRolloutsContent = annotatedModelContent('rollouts', 'Rollouts', () =>
  import('./components/ModelRolloutsContent').then(m => <m.ModelRolloutsContent />),
);

const lineagePage = PageBlueprint.make({
  name: 'lineage',
  params: {
    path: '/mlops/lineage',
    title: 'Model lineage',
    // Backstage's app nav lists only pages with an icon.
    icon: <AccountTreeIcon />,
    routeRef: lineageRouteRef,
    loader: () => import('./components/LineagePage').then(m => <m.LineagePage />),
  },
});

const promotionsPage = PageBlueprint.make({
  name: 'promotions',
  params: {
    path: '/mlops/promotions',
    title: 'Promotions',
    icon: <VerifiedUserIcon />,
    routeRef: promotionsRouteRef,
    loader: () => import('./components/PromotionsPage').then(m => <m.PromotionsPage />),
  },
});

const kpiOverviewPage = PageBlueprint.make({
  name: 'models-overview',
  params: {
    path: '/mlops/models',
    title: 'Models',
    icon: <AssessmentIcon />,
    routeRef: kpiOverviewRouteRef,
    loader: () => import('./components/KpiOverviewPage').then(m => <m.KpiOverviewPage />),
  },
});

/**
 * The ModelRails portal plugin (new frontend system).
 *
 * @public
 */
export const mlopsPlugin = createFrontendPlugin({
  pluginId: 'mlops',
  title: 'ModelRails',
  routes: { lineage: lineageRouteRef, promotions: promotionsRouteRef, modelsOverview: kpiOverviewRouteRef },
  extensions: [mlopsApi, productionLineageCard, modelKpiCard, modelPerformanceCard, modelPolicyCard, modelVersionsContent, modelDriftContent, modelRolloutsContent, modelRunbooksContent, annotatedModelDriftContent, annotatedModelRolloutsContent, lineagePage, promotionsPage, kpiOverviewPage],
});
