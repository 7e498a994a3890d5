import { parseEntityRef } from '@backstage/catalog-model';
import { Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef, EntityProvider, EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { MODEL_KIND } from '@modelrails/plugin-mlops-common';
import { ReactNode } from 'react';
import { useAsync } from '../../hooks/useAsync';
import { MODEL_ANNOTATION } from '../../lib/modelAnnotation';

/** Renders a Model's content for the Model the page's entity names (`modelrails.io/model`). */
export function AnnotatedModel({ children }: { children: ReactNode }) {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const named = entity.metadata.annotations?.[MODEL_ANNOTATION] ?? '';
  const state = useAsync(async () => {
    const ref = parseEntityRef(named, { defaultKind: MODEL_KIND.toLocaleLowerCase('en-US'), defaultNamespace: entity.metadata.namespace ?? 'default' });
    return (await catalogApi.getEntityByRef(ref)) ?? null;
  }, [named, entity.metadata.namespace]);
  if (state.status === 'loading') return <Progress />;
  if (state.status === 'error' || !state.value || state.value.kind !== MODEL_KIND) {
    return (
      <WarningPanel severity="warning" title={`No Model "${named}" in the catalog`}>
        This entity's <code>{MODEL_ANNOTATION}</code> annotation names a Model the catalog does not have.
        {state.status === 'error' ? ` (${state.error.message})` : ''}
      </WarningPanel>
    );
  }
  return (
    <EntityProvider entity={state.value}>
      {/* Whose data this is: the page is the Resource's, the content the Model's. */}
      <Box mb={2}>
        <Typography variant="body2" color="textSecondary" aria-label="ModelRails model">
          From the ModelRails model <EntityRefLink entityRef={state.value} />, which this entity's <code>{MODEL_ANNOTATION}</code> annotation names.
        </Typography>
      </Box>
      {children}
    </EntityProvider>
  );
}
