import { useRouteRef } from '@backstage/frontend-plugin-api';
import { lineageRouteRef } from '../routes';

/** Builds links to the lineage page rooted at a lineage node id. */
export function useLineageLink(): (rootId: string) => string | undefined {
  const lineagePath = useRouteRef(lineageRouteRef);
  return (rootId: string) => {
    const base = lineagePath?.();
    return base ? `${base}?root=${encodeURIComponent(rootId)}` : undefined;
  };
}
