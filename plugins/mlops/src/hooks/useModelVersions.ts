import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { mlopsApiRef } from '../api/MlopsApi';
import { useAsync } from './useAsync';

/** The versions of the Model entity the page shows. */
export function useModelVersions() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const ref = getCompoundEntityRef(entity);
  return useAsync(() => api.listVersions(ref), [api, ref.namespace, ref.name]);
}
