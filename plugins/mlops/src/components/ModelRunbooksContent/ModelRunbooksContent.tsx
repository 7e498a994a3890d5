import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  CompoundEntityRef,
  getCompoundEntityRef,
} from '@backstage/catalog-model';
import {
  AlertKind,
  LiveContext,
  OpenAlert,
  RunbookAction,
  RunbookList,
  featureLabel,
  formatDateTime,
  formatStatistic,
} from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { usePolled } from '../../hooks/usePolled';
import { AsyncCard } from '../AsyncCard';
import { SafeMarkdown } from '../SafeMarkdown';
import { Actor } from '../Actor';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

const SEVERITY_STYLE: Record<
  OpenAlert['severity'],
  { backgroundColor: string; color: string }
> = {
  page: { backgroundColor: '#ffcdd2', color: '#b71c1c' },
  warning: { backgroundColor: '#ffe0b2', color: '#e65100' },
};

const when = (iso: string) => formatDateTime(iso);
const TEST_NAMES: Record<string, string> = { ks: 'KS', psi: 'PSI', 'chi-square': 'chi-square' };

function RunbookIndex({
  list,
  selected,
  onSelect,
}: {
  list: RunbookList;
  selected: string;
  onSelect: (id: string) => void;
}) {
  return (
    <InfoCard title="Runbooks" noPadding>
      <List dense aria-label="runbooks">
        {list.items.map(r => (
          <ListItem
            key={r.id}
            button
            selected={r.id === selected}
            onClick={() => onSelect(r.id)}
            data-runbook={r.id}
          >
            <ListItemText
              primary={r.title}
              secondary={`${
                r.source === 'model' ? `this model · ${r.location}` : 'built-in'
              }${r.alerts.length ? ` · ${r.alerts.join(', ')}` : ''}`}
            />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}

function RunbookView({
  entityRef,
  id,
}: {
  entityRef: CompoundEntityRef;
  id: string;
}) {
  const api = useApi(mlopsApiRef);
  const state = useAsync(
    () => api.getRunbook(entityRef, id),
    [api, entityRef.namespace, entityRef.name, id],
  );
  return (
    <AsyncCard title="Runbook" state={state}>
      {runbook => (
        <InfoCard
          title={runbook.title}
          subheader={
            runbook.source === 'model'
              ? `From ${runbook.location}, beside the model's catalog file`
              : 'Built into ModelRails'
          }
        >
          <Box data-testid="runbook-markdown">
            <SafeMarkdown markdown={runbook.markdown} />
          </Box>
        </InfoCard>
      )}
    </AsyncCard>
  );
}

function Alerts({
  context,
  onOpen,
}: {
  context: LiveContext;
  onOpen: (runbookId: string) => void;
}) {
  if (!context.alerts.length) return <Typography>No open alert.</Typography>;
  return (
    <List dense aria-label="open alerts" disablePadding>
      {context.alerts.map((a, i) => (
        <ListItem
          key={`${a.kind}-${a.feature ?? ''}-${a.segment ?? ''}-${i}`}
          data-alert={a.kind}
          disableGutters
        >
          <Box
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            style={{ gap: 8 }}
          >
            <Chip
              size="small"
              label={a.severity}
              style={SEVERITY_STYLE[a.severity]}
            />
            <Typography variant="body2">
              {a.summary}{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                since {when(a.since)}
              </Typography>
            </Typography>
            <Button size="small" onClick={() => onOpen(a.runbookId)}>
              Runbook
            </Button>
          </Box>
        </ListItem>
      ))}
    </List>
  );
}

function Actions({
  actions,
  onDone,
}: {
  actions: RunbookAction[];
  onDone: () => void;
}) {
  const api = useApi(mlopsApiRef);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState<string>();
  const act = async (a: RunbookAction) => {
    setBusy(true);
    setError(undefined);
    try {
      const rollout = await api.actOnRollout(a.rolloutId, a.action, { reason });
      setDone(rollout.headline ?? `${a.action} done`);
      setReason('');
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
      {/* What was done stays on screen after the context reloads without the action. */}
      {!actions.length && (
        <Typography variant="body2">
          No rollout to roll back or pause.
        </Typography>
      )}
      {actions.length > 0 && (
        <TextField
          id="runbook-action-reason"
          label="Reason"
          size="small"
          variant="outlined"
          value={reason}
          onChange={e => setReason(e.target.value)}
          inputProps={{ maxLength: 2000 }}
        />
      )}
      {actions.map(a => (
        <Box key={a.action} data-action={a.action}>
          <Button
            variant="outlined"
            color={a.action === 'rollback' ? 'secondary' : 'primary'}
            disabled={busy || !a.allowed}
            onClick={() => act(a)}
          >
            {a.label}
          </Button>
          {!a.allowed && (
            <Typography
              variant="caption"
              display="block"
              color="textSecondary"
              data-testid="action-refusal"
            >
              {a.refusal}
            </Typography>
          )}
        </Box>
      ))}
      {error && (
        <Typography role="alert" style={{ color: '#b71c1c' }}>
          {error.message}
        </Typography>
      )}
      {done && <Typography role="status">{done}</Typography>}
    </Box>
  );
}

function LiveContextCard({
  context,
  onOpen,
  onChanged,
}: {
  context: LiveContext;
  onOpen: (id: string) => void;
  onChanged: () => void;
}) {
  const noBreaks = useNoWordBreaks().table;
  const { rollout, lastDeploy } = context;
  return (
    <InfoCard
      title="Live context"
      subheader={`As of ${when(context.at)}; refreshed every 15 s`}
    >
      <Grid container spacing={3} data-testid="live-context">
        <Grid item xs={12} md={6}>
          <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
            <section aria-label="alerts">
              <Typography variant="subtitle2">Open alerts</Typography>
              <Alerts context={context} onOpen={onOpen} />
            </section>
            <section aria-label="rollout">
              <Typography variant="subtitle2">Current rollout</Typography>
              {rollout ? (
                <>
                  <Typography variant="body2">
                    v{rollout.version} against v{rollout.champion ?? '—'}:{' '}
                    {rollout.status} ({rollout.stage}, {rollout.weight} %)
                  </Typography>
                  {rollout.lastDecision && (
                    <Typography variant="body2" color="textSecondary">
                      Last decision, {when(rollout.lastDecision.at)}:{' '}
                      {rollout.lastDecision.action} by{' '}
                      {rollout.lastDecision.actor} —{' '}
                      {rollout.lastDecision.reason}
                    </Typography>
                  )}
                </>
              ) : (
                <Typography variant="body2">No rollout.</Typography>
              )}
            </section>
            <section aria-label="last deploy">
              <Typography variant="subtitle2">Last deploy</Typography>
              {lastDeploy ? (
                <Typography variant="body2">
                  {lastDeploy.awaitingDeployment
                    ? `v${lastDeploy.version} is champion since `
                    : `v${lastDeploy.version} serves production since `}
                  {when(lastDeploy.since)}
                  {lastDeploy.approvedBy
                    ? <>, approved by <Actor entityRef={lastDeploy.approvedBy} /></>
                    : ', without a recorded approval'}
                  {lastDeploy.override ? ' (break-glass override)' : ''}
                  {lastDeploy.awaitingDeployment &&
                    `; awaiting deployment: production traffic still reaches v${lastDeploy.servingVersion}`}
                </Typography>
              ) : (
                <Typography variant="body2">
                  Nothing serves production.
                </Typography>
              )}
            </section>
            <section aria-label="actions">
              <Typography variant="subtitle2">Actions</Typography>
              <Actions actions={context.actions} onDone={onChanged} />
            </section>
          </Box>
        </Grid>
        <Grid item xs={12} md={6}>
          <section aria-label="top drifting features">
            <Typography variant="subtitle2">Top drifting features</Typography>
            {context.topDrifting.length ? (
              <div style={TABLE_SCROLL}>
                <Table size="small" className={noBreaks} aria-label="top drifting features">
                  <TableHeader columns={['Feature', 'Test', { label: 'PSI', numeric: true }, 'Verdict']} />
                  <TableBody>
                    {context.topDrifting.map(f => (
                      <TableRow
                        key={`${f.feature}@${f.segment}`}
                        data-feature={f.feature}
                      >
                        <TableCell style={{ whiteSpace: 'nowrap' }}>
                          {featureLabel(f.feature)}
                          {f.segment && f.segment !== '*' && (
                            <Typography variant="caption" color="textSecondary" component="div">
                              {f.segment}
                            </Typography>
                          )}
                        </TableCell>
                        {/* "chi-square test" may wrap between its words: this card is half the page. */}
                        <TableCell>{TEST_NAMES[f.test] ?? f.test}</TableCell>
                        <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                          {formatStatistic(f.psi)}
                        </TableCell>
                        <TableCell style={{ whiteSpace: 'nowrap' }}>{f.severity === 'none' ? 'no drift' : f.severity}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            ) : (
              <Typography variant="body2">
                No drift measured in the current window.
              </Typography>
            )}
          </section>
        </Grid>
      </Grid>
    </InfoCard>
  );
}

/** The Runbooks tab of a Model: its runbooks and the built-in ones, beside the live context. */
export function ModelRunbooksContent() {
  const { entity } = useEntity();
  const entityRef = getCompoundEntityRef(entity);
  const api = useApi(mlopsApiRef);
  const [params, setParams] = useSearchParams();
  const list = useAsync(
    () => api.listRunbooks(entityRef),
    [api, entityRef.namespace, entityRef.name],
  );
  const context = usePolled(
    () => api.getLiveContext(entityRef),
    [api, entityRef.namespace, entityRef.name],
    { intervalMs: 15_000, keepPolling: () => true },
  );
  const open = (id: string) => setParams({ runbook: id });
  // An alert's link (?alert=contract-violation) opens the runbook the backend says handles it.
  const selected = (value: RunbookList) =>
    params.get('runbook') ??
    value.byAlert[params.get('alert') as AlertKind] ??
    value.items[0]?.id ??
    '';
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={3}>
        <AsyncCard title="Runbooks" state={list}>
          {value => (
            <RunbookIndex
              list={value}
              selected={selected(value)}
              onSelect={open}
            />
          )}
        </AsyncCard>
      </Grid>
      <Grid
        item
        xs={12}
        md={9}
        container
        spacing={3}
        direction="column"
        wrap="nowrap"
      >
        <Grid item>
          <AsyncCard title="Live context" state={context}>
            {value => (
              <LiveContextCard
                context={value}
                onOpen={open}
                onChanged={context.reload}
              />
            )}
          </AsyncCard>
        </Grid>
        <Grid item>
          <AsyncCard title="Runbook" state={list}>
            {value =>
              selected(value) ? (
                <RunbookView entityRef={entityRef} id={selected(value)} />
              ) : null
            }
          </AsyncCard>
        </Grid>
      </Grid>
    </Grid>
  );
}
