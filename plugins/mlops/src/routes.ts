import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The lineage page: `?root=<lineage node id>&depth=<n>`. */
export const lineageRouteRef = createRouteRef();

/** The promotion queue, and a sign-off page with `?id=<request id>`. */
export const promotionsRouteRef = createRouteRef();

/** Every model's KPIs, SLO status and cost per 1,000 predictions. */
export const kpiOverviewRouteRef = createRouteRef();
