import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { lineageNodeId } from '@modelrails/plugin-mlops-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { useLineageLink } from '../../hooks/useLineageLink';
import { productionVersion, shortName } from '../../lib/lineage';

/** "What data trained the model serving production right now?", answered on the Model page. */
export function ProductionLineageCard() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const lineageLink = useLineageLink();
  const ref = getCompoundEntityRef(entity);
  const state = useAsync(() => api.listVersions(ref), [api, ref.namespace, ref.name]);

  if (state.status === 'loading') {
    return (
      <InfoCard title="Data behind production">
        <Progress />
      </InfoCard>
    );
  }
  if (state.status === 'error') {
    return <ResponseErrorPanel error={state.error} />;
  }
  const prod = productionVersion(state.value.items);
  if (!prod) {
    return (
      <InfoCard title="Data behind production">
        <Typography>No version of this model serves production traffic.</Typography>
      </InfoCard>
    );
  }
  const versionLink = lineageLink(lineageNodeId.model(prod.modelRef, prod.version));
  return (
    <InfoCard
      title="Data behind production"
      subheader={`v${prod.version} serves production`}
      deepLink={versionLink ? { title: `Lineage of v${prod.version}`, link: versionLink } : undefined}
    >
      {prod.reproducible ? (
        <List dense aria-label="Dataset versions behind production">
          {prod.training.datasets.map(d => {
            const link = lineageLink(lineageNodeId.dataset(d.ref, d.version));
            const label = `${shortName(d.ref)} @ ${d.version}`;
            return (
              <ListItem key={`${d.ref}@${d.version}`} disableGutters>
                <ListItemText
                  primary={link ? <Link to={link}>{label}</Link> : label}
                  secondary={d.digest}
                  secondaryTypographyProps={{ style: { fontFamily: 'monospace', fontSize: 11, wordBreak: 'break-all' } }}
                />
              </ListItem>
            );
          })}
        </List>
      ) : (
        <Typography color="error">
          v{prod.version} is not reproducible: no dataset version is recorded for it.
        </Typography>
      )}
    </InfoCard>
  );
}
