import { InfoCard, Link, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { formatDateTime, formatNumber, lineageNodeId, ModelVersionList } from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { useLineageLink } from '../../hooks/useLineageLink';
import { useModelVersions } from '../../hooks/useModelVersions';
import { AsyncCard } from '../AsyncCard';
import { RequestPromotionButton } from './RequestPromotionButton';
import { metricSeries, MetricsAcrossVersions } from './MetricsAcrossVersions';
import { age, formatComparison } from '../../lib/lineage';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

type Item = ModelVersionList['items'][number];

/** A version's gate status: passed, failed (naming the failing gates), or not yet evaluated. */
function Gates({ item }: { item: Item }) {
  if (!item.gates) {
    return (
      <Tooltip title="The gates have not run on this version yet">
        <Chip size="small" variant="outlined" label="not evaluated" />
      </Tooltip>
    );
  }
  const { results, passed } = item.gates;
  if (!results.length) {
    return (
      <Tooltip title="The model's policy configures no gates: nothing blocks promotion">
        <Chip size="small" variant="outlined" label="no gates" />
      </Tooltip>
    );
  }
  const failed = results.filter(r => r.status === 'fail');
  const details = (
    <Box component="ul" m={0} pl={2}>
      {results.map((r, i) => (
        <li key={i}>
          {r.status === 'pass' ? '✓' : '✗'} {r.rule}
          {r.value !== undefined && ` — measured ${formatNumber(r.value)}${r.threshold !== undefined ? ` vs ${formatNumber(r.threshold)}` : ''}`}
          {r.advisory ? ' (advisory)' : ''}: {r.reason}
        </li>
      ))}
    </Box>
  );
  return (
    <Tooltip title={details}>
      <Box>
        <Chip
          size="small"
          aria-label={passed ? 'gates passed' : 'gates failed'}
          label={passed ? `passed ${results.length - failed.length}/${results.length}` : `failed ${failed.length}/${results.length}`}
          style={passed ? { backgroundColor: '#c8e6c9', color: '#1b5e20' } : { backgroundColor: '#ffcdd2', color: '#b71c1c' }}
        />
        {failed.map(r => (
          <Typography key={r.name} variant="caption" component="div" color="error">
            {r.name}
          </Typography>
        ))}
      </Box>
    </Tooltip>
  );
}

/** The metrics the gates read, beside the champion; the rest one hover away. */
function Metrics({ item, keyMetrics }: { item: Item; keyMetrics: string[] }) {
  const entries = Object.entries(item.vsChampion);
  if (!entries.length) return <Typography variant="body2">—</Typography>;
  const shown = entries.filter(([name]) => keyMetrics.includes(name));
  const first = shown.length ? shown : entries.slice(0, 2);
  const rest = entries.filter(e => !first.includes(e));
  const line = ([name, c]: (typeof entries)[number]) => (
    <Typography key={name} variant="body2" component="div" style={{ whiteSpace: 'nowrap' }}>
      {name}: {formatComparison(c.value, c.relative)}
    </Typography>
  );
  return (
    <>
      {first.map(line)}
      {rest.length > 0 && (
        <Tooltip title={<Box>{rest.map(line)}</Box>}>
          <Typography variant="caption" color="textSecondary" component="div" style={{ whiteSpace: 'nowrap', cursor: 'help' }}>
            +{rest.length} more metric{rest.length === 1 ? '' : 's'}
          </Typography>
        </Tooltip>
      )}
    </>
  );
}

type SyncProblem = { modelRef?: string; version?: string; message: string };

/**
 * Where versions come from besides CI: the MLflow sync, whether its last run failed, and what it
 * could not copy of this model (the rest of the sync went on without it).
 */
function MlflowSyncStatus() {
  const api = useApi(mlopsApiRef);
  const { entity } = useEntity();
  const modelRef = stringifyEntityRef(entity);
  const state = useAsync(() => api.getMlflowSyncStatus(), [api]);
  if (state.status !== 'ready' || !state.value.configured || !state.value.finishedAt) return null;
  const status = { ...state.value, finishedAt: state.value.finishedAt };
  if (!status.ok) {
    return (
      <Box mb={2}>
        <WarningPanel defaultExpanded title="MLflow sync failed" message={`${status.message} (${age(status.finishedAt)})`} />
      </Box>
    );
  }
  const mismatches: string[] = Array.isArray(status.details?.aliasMismatches) ? status.details.aliasMismatches : [];
  const problems: SyncProblem[] = (Array.isArray(status.details?.problems) ? status.details.problems : []).filter(
    (p: SyncProblem) => p.modelRef === modelRef,
  );
  return (
    <>
      {problems.length > 0 && (
        <Box mb={2}>
          <WarningPanel
            title={`MLflow sync skipped ${problems.length === 1 ? 'part' : 'parts'} of this model (${age(status.finishedAt)})`}
            message={problems.map(p => `${p.version ? `v${p.version}` : 'All versions'}: ${p.message}`).join('\n')}
          />
        </Box>
      )}
      <Typography variant="caption" color="textSecondary" component="p" aria-label="MLflow sync status">
      Synced from MLflow {age(status.finishedAt)}.
        {mismatches.length > 0 && ` Aliases set in MLflow are not followed (they change through sign-off and rollouts): ${mismatches.join('; ')}.`}
      </Typography>
    </>
  );
}

/** The versions of a Model: metrics beside the champion's, lineage, where they serve, who made them. */
export function ModelVersionsCard() {
  const state = useModelVersions();
  return (
    <AsyncCard title="Versions" state={state}>
      {list => <ModelVersions list={list} />}
    </AsyncCard>
  );
}

function ModelVersions({ list }: { list: ModelVersionList }) {
  const noBreaks = useNoWordBreaks().table;
  const lineageLink = useLineageLink();
  const keyMetrics = metricSeries(list).map(s => s.metric);
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
    <MetricsAcrossVersions list={list} />
    <InfoCard
      title="Versions"
      subheader={list.champion ? `Metrics compared with the champion, v${list.champion}` : 'No champion yet'}
    >
      <MlflowSyncStatus />
      {list.items.length === 0 ? (
        <Typography>No versions registered yet. CI registers them with POST /api/mlops/models/…/versions.</Typography>
      ) : (
        <div style={TABLE_SCROLL}>
          <Table size="small" className={noBreaks} aria-label="Model versions">
            <TableHeader columns={['Version', 'Metrics (vs champion)', 'Gates', 'Serving', 'Creator', 'Age', '']} />
            <TableBody>
              {list.items.map(item => {
                const link = lineageLink(lineageNodeId.model(list.modelRef, item.version));
                return (
                  <TableRow key={item.version} data-version={item.version}>
                    <TableCell>
                      <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 4 }}>
                        {link ? <Link to={link}>v{item.version}</Link> : `v${item.version}`}
                        {item.source === 'mlflow' && <Chip size="small" variant="outlined" label="MLflow" />}
                        {item.aliases.map(alias => (
                          <Chip key={alias} size="small" label={alias} color={alias === 'champion' ? 'primary' : 'default'} />
                        ))}
                        {list.production.awaitingDeployment && item.version === list.production.champion && (
                          <Tooltip title={`Approved for production; production traffic still reaches v${list.production.servingVersion}`}>
                            <Chip size="small" variant="outlined" label="awaiting deployment" />
                          </Tooltip>
                        )}
                      </Box>
                      {item.reproducible ? (
                        <Typography variant="caption" color="textSecondary" component="div" style={{ whiteSpace: 'nowrap' }}>
                          trained on {item.training.datasets.length} dataset{item.training.datasets.length === 1 ? '' : 's'}
                        </Typography>
                      ) : (
                        <Tooltip title="No dataset version is recorded for this version: it cannot be reproduced">
                          <Chip size="small" label="not reproducible" style={{ backgroundColor: '#ffe0b2', color: '#7a3e00', marginTop: 4 }} aria-label="not reproducible" />
                        </Tooltip>
                      )}
                    </TableCell>
                    <TableCell>
                      <Metrics item={item} keyMetrics={keyMetrics} />
                    </TableCell>
                    <TableCell>
                      <Gates item={item} />
                    </TableCell>
                    <TableCell>
                      {item.deployments.length
                        ? item.deployments.map(d => (
                            <Typography key={`${d.environment}/${d.cluster}/${d.namespace}`} variant="body2" component="div">
                              {d.environment} · {d.cluster} · {d.trafficWeight}{'\u00a0'}%
                            </Typography>
                          ))
                        : '—'}
                    </TableCell>
                    <TableCell>
                      {item.creatorVerified ? (
                        <span style={{ whiteSpace: 'nowrap' }}>
                          <EntityRefLink entityRef={item.creator} defaultKind="user" />
                        </span>
                      ) : (
                        <Tooltip title="Not a User in the catalog: only the platform teams may approve this version">
                          <span aria-label="unverified creator">
                            {item.creator} <Chip size="small" label="unverified" />
                          </span>
                        </Tooltip>
                      )}
                    </TableCell>
                    <TableCell>
                      <Tooltip title={formatDateTime(item.createdAt)}>
                        <span style={{ whiteSpace: 'nowrap' }}>{age(item.createdAt)}</span>
                      </Tooltip>
                    </TableCell>
                    <TableCell>
                      <RequestPromotionButton modelRef={list.modelRef} version={item.version} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </InfoCard>
    </Box>
  );
}
