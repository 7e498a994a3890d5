import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The lineage page: `?root=<lineage node id>&depth=<n>`. */
export const lineageRouteRef = createRouteRef();
