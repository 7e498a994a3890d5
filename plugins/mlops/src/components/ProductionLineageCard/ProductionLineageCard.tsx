import { InfoCard, Link } from '@backstage/core-components';
import { lineageNodeId, ModelVersionList } from '@modelrails/plugin-mlops-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { AsyncCard } from '../AsyncCard';
import { useLineageLink } from '../../hooks/useLineageLink';
import { useModelVersions } from '../../hooks/useModelVersions';
import { shortName } from '../../lib/lineage';
import { Digest } from '../Digest';

/** "What data trained the model serving production right now?", answered on the Model page. */
export function ProductionLineageCard() {
  const state = useModelVersions();
  return (
    <AsyncCard title="Data behind production" state={state}>
      {list => <ProductionLineage list={list} />}
    </AsyncCard>
  );
}

function ProductionLineage({ list }: { list: ModelVersionList }) {
  const lineageLink = useLineageLink();
  const { production } = list;
  const prod = list.items.find(v => v.version === production.servingVersion);
  const awaiting = production.awaitingDeployment ? ` · v${production.champion} is champion, awaiting deployment` : '';
  if (!prod) {
    return (
      <InfoCard title="Data behind production">
        <Typography>
          No version of this model serves production traffic
          {production.champion ? ` (v${production.champion} is champion, awaiting deployment)` : ''}.
        </Typography>
      </InfoCard>
    );
  }
  const versionLink = lineageLink(lineageNodeId.model(prod.modelRef, prod.version));
  return (
    <InfoCard
      title="Data behind production"
      subheader={`v${prod.version} serves production${awaiting}`}
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
                  secondary={<Digest value={d.digest} />}
                  secondaryTypographyProps={{ style: { fontSize: 12 } }}
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
