import { parseEntityRef } from '@backstage/catalog-model';
import { Content, Header, InfoCard, Link, Page, Progress, ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { formatDateTime, formatLatency, formatNumber, formatPercent, GateResult, lineageNodeId, ModelVersionList, Promotion } from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { mlopsApiRef, PromotionView } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { useLineageLink } from '../../hooks/useLineageLink';
import { age, formatComparison, shortName } from '../../lib/lineage';
import { promotionsRouteRef } from '../../routes';
import { Actor } from '../Actor';
import { Digest } from '../Digest';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

const STATUS_COLOUR: Record<Promotion['status'], { backgroundColor: string; color: string }> = {
  pending: { backgroundColor: '#fff3e0', color: '#8a4b00' },
  approved: { backgroundColor: '#c8e6c9', color: '#1b5e20' },
  rejected: { backgroundColor: '#ffcdd2', color: '#b71c1c' },
  expired: { backgroundColor: '#eeeeee', color: '#424242' },
};

function StatusChip({ promotion }: { promotion: Promotion }) {
  return (
    <Box display="flex" style={{ gap: 4 }}>
      <Chip size="small" label={promotion.status} style={STATUS_COLOUR[promotion.status]} />
      {promotion.override && <Chip size="small" label="override" style={{ backgroundColor: '#b71c1c', color: '#fff' }} />}
    </Box>
  );
}

function usePromotionLink() {
  const path = useRouteRef(promotionsRouteRef);
  return (id?: string) => {
    const base = path?.();
    if (!base) return undefined;
    return id ? `${base}?id=${encodeURIComponent(id)}` : base;
  };
}

/** Pending requests first, then the latest decisions. */
function Queue() {
  const noBreaks = useNoWordBreaks().table;
  const api = useApi(mlopsApiRef);
  const link = usePromotionLink();
  const state = useAsync(() => api.listPromotions(), [api]);
  if (state.status === 'loading') return <Progress />;
  if (state.status === 'error') return <ResponseErrorPanel error={state.error} />;
  const pending = state.value.filter(p => p.status === 'pending');
  const decided = state.value.filter(p => p.status !== 'pending').slice(0, 50);
  const table = (items: Promotion[], label: string) => (
    <div style={TABLE_SCROLL}>
      <Table size="small" className={noBreaks} aria-label={label}>
        <TableHeader columns={['Model', 'Version', 'Environment', 'Requested by', 'Requested', 'Status', 'Decided by']} />
        <TableBody>
          {items.map(p => (
            <TableRow key={p.id} data-promotion={p.id}>
              <TableCell>
                <EntityRefLink entityRef={p.modelRef} />
              </TableCell>
              <TableCell>
                <Link to={link(p.id) ?? '#'}>v{p.version}</Link>
              </TableCell>
              <TableCell>{p.environment}</TableCell>
              <TableCell>
                <Actor entityRef={p.requestedBy} />
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }} title={formatDateTime(p.requestedAt)}>
                {age(p.requestedAt)}
              </TableCell>
              <TableCell>
                <StatusChip promotion={p} />
              </TableCell>
              <TableCell>
                <Actor entityRef={p.decidedBy} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <InfoCard title={`Waiting for sign-off (${pending.length})`}>
          {pending.length ? table(pending, 'Pending promotions') : <Typography>Nothing waits for a decision.</Typography>}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Recent decisions">
          {decided.length ? table(decided, 'Recent decisions') : <Typography>No promotion has been decided yet.</Typography>}
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** A gate's measured value and threshold in its own unit: relative drops and null rates as shares, latency in ms. */
function gateValue(kind: string, value: number | undefined) {
  if (kind === 'champion-relative' || kind === 'baseline-relative' || kind === 'data-quality') return formatPercent(value);
  if (kind === 'latency-budget') return formatLatency(value);
  return formatNumber(value);
}

function GatesTable({ results }: { results: GateResult[] }) {
  const noBreaks = useNoWordBreaks().table;
  return (
    <div style={TABLE_SCROLL}>
      <Table size="small" className={noBreaks} aria-label="Gate results">
        <TableHeader columns={['Gate', 'Rule', { label: 'Measured', numeric: true }, { label: 'Threshold', numeric: true }, 'Result', 'Why']} />
        <TableBody>
          {results.map((r, i) => (
            <TableRow key={i} data-gate={r.kind} data-status={r.status}>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{r.name}</TableCell>
              <TableCell>{r.rule}</TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>{gateValue(r.kind, r.value)}</TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>{gateValue(r.kind, r.threshold)}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  label={r.advisory ? `${r.status} (advisory)` : r.status}
                  style={r.status === 'pass' ? STATUS_COLOUR.approved : STATUS_COLOUR.rejected}
                />
              </TableCell>
              <TableCell>{r.reason}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function Decide({ promotion, gatesFailing, onDecided }: { promotion: PromotionView; gatesFailing: boolean; onDecided: (p: PromotionView) => void }) {
  const api = useApi(mlopsApiRef);
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const allowed = promotion.canDecide?.allowed ?? false;
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      onDecided(await api.decidePromotion(promotion.id, decision, { reason, ...(decision === 'approve' && override ? { override } : {}) }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <InfoCard title="Decision">
      {!allowed && (
        <Typography color="textSecondary" aria-label="Why you cannot decide" paragraph>
          {promotion.canDecide?.reason ?? 'You cannot decide this request.'}
        </Typography>
      )}
      <TextField
        id="decision-reason"
        label="Reason"
        multiline
        minRows={2}
        fullWidth
        variant="outlined"
        value={reason}
        disabled={!allowed || busy}
        onChange={e => setReason(e.target.value)}
      />
      {gatesFailing && (
        <FormControlLabel
          control={<Checkbox checked={override} onChange={e => setOverride(e.target.checked)} disabled={!allowed || busy} />}
          label="Break glass: approve despite failing gates (needs the override permission; the reason is recorded)"
        />
      )}
      <Box mt={2} display="flex" style={{ gap: 8 }}>
        <Button
          variant="contained"
          color="primary"
          disabled={!allowed || busy || !reason.trim() || (gatesFailing && !override)}
          onClick={() => decide('approve')}
        >
          Approve
        </Button>
        <Button variant="outlined" disabled={!allowed || busy || !reason.trim()} onClick={() => decide('reject')}>
          Reject
        </Button>
      </Box>
      {error && (
        <Box mt={2}>
          <ResponseErrorPanel error={error} />
        </Box>
      )}
    </InfoCard>
  );
}

/** The evidence for one request — gates, metrics beside the champion, lineage — and the decision. */
function SignOff({ id }: { id: string }) {
  const noBreaks = useNoWordBreaks().table;
  const api = useApi(mlopsApiRef);
  const lineageLink = useLineageLink();
  const link = usePromotionLink();
  const [decided, setDecided] = useState<PromotionView | undefined>();
  const state = useAsync(async () => {
    const promotion = await api.getPromotion(id);
    const ref = parseEntityRef(promotion.modelRef);
    const [versions, history] = await Promise.all([
      api.listVersions(ref),
      api.listPromotions({ model: promotion.modelRef }),
    ]);
    return { promotion, versions, history };
  }, [api, id, decided]);
  if (state.status === 'loading') return <Progress />;
  if (state.status === 'error') return <ResponseErrorPanel error={state.error} />;
  const { promotion, versions, history } = state.value;
  const version: ModelVersionList['items'][number] | undefined = versions.items.find(v => v.version === promotion.version);
  const evidence = promotion.evidence;
  const gates = evidence?.gates ?? version?.gates;
  const vsChampion = evidence?.vsChampion ?? version?.vsChampion ?? {};
  const datasets = evidence?.lineage.datasets ?? version?.training.datasets ?? [];
  const gatesFailing = !gates?.passed;
  let gatesSubheader = 'Not evaluated yet';
  if (gates) {
    const against = gates.champion ? `champion v${gates.champion}` : 'no champion';
    gatesSubheader = `${gates.passed ? 'All blocking gates pass' : 'A blocking gate fails'} · evaluated ${age(gates.evaluatedAt)} against ${against}`;
  }
  // The champion this version is judged against now: the alias holder, unless it is this version.
  const championNow = versions.champion && versions.champion !== promotion.version ? versions.champion : null;
  const staleChampion = !evidence && gates && (gates.champion ?? null) !== championNow;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <Typography variant="h5" component="h2">
            <EntityRefLink entityRef={promotion.modelRef} /> v{promotion.version} → {promotion.environment}
          </Typography>
          <StatusChip promotion={promotion} />
        </Box>
        <Typography variant="body2" color="textSecondary">
          Requested by <Actor entityRef={promotion.requestedBy} /> {age(promotion.requestedAt)}
          {promotion.requestReason ? `: “${promotion.requestReason}”` : ''} · bound to <Digest value={promotion.artifactDigest} />
          {promotion.decidedBy && (
            <>
              {' '}
              · {promotion.status} by <Actor entityRef={promotion.decidedBy} />: “{promotion.decisionReason}”
            </>
          )}
          {promotion.expiresAt && ` · approval expires ${formatDateTime(promotion.expiresAt)}`}
        </Typography>
        <Link to={link() ?? '#'}>Back to the queue</Link>
      </Grid>
      {promotion.override && (
        <Grid item xs={12}>
          <WarningPanel severity="error" title="Approved with a break-glass override" message={promotion.override.reason} defaultExpanded />
        </Grid>
      )}
      <Grid item xs={12} md={8}>
        <InfoCard title={`Gates${evidence ? ' (as approved)' : ''}`} subheader={gatesSubheader}>
          {staleChampion && (
            <Box mb={2}>
              <WarningPanel
                severity="warning"
                title="These results are stale"
                message={`They were judged against ${gates?.champion ? `v${gates.champion}` : 'no champion'}; ${championNow ? `v${championNow}` : 'no version'} is champion now. The gates run again within a minute, and approving is refused until they have.`}
                defaultExpanded
              />
            </Box>
          )}
          {gates ? <GatesTable results={gates.results} /> : <Typography>The gates have not run on this version yet.</Typography>}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        {promotion.status === 'pending' ? (
          <Decide promotion={promotion} gatesFailing={gatesFailing} onDecided={setDecided} />
        ) : (
          <InfoCard title="Decision">
            <Typography>
              {promotion.status} by <Actor entityRef={promotion.decidedBy} />: {promotion.decisionReason ?? '—'}
            </Typography>
          </InfoCard>
        )}
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Metrics beside the champion" subheader={evidence?.champion ?? versions.champion ? `champion v${evidence?.champion ?? versions.champion}` : 'no champion'}>
          <div style={TABLE_SCROLL}>
            <Table size="small" className={noBreaks} aria-label="Metrics beside the champion">
              {/* "v18 (vs champion)" may wrap between its words: the card is half the page. */}
              <TableHead>
                <TableRow>
                  <TableCell>Metric</TableCell>
                  <TableCell align="right">v{promotion.version} (vs champion)</TableCell>
                  <TableCell align="right">Champion</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {Object.entries(vsChampion).map(([name, c]) => (
                  <TableRow key={name}>
                    <TableCell>{name}</TableCell>
                    <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>{formatComparison(c.value, c.relative)}</TableCell>
                    <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>{formatNumber(c.champion)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard
          title="Lineage"
          deepLink={{ title: 'Open the lineage', link: lineageLink(lineageNodeId.model(promotion.modelRef, promotion.version)) ?? '#' }}
        >
          {datasets.length ? (
            datasets.map(d => (
              <Typography key={`${d.ref}@${d.version}`} variant="body2">
                {shortName(d.ref)} @ {d.version} — <Digest value={d.digest} />
              </Typography>
            ))
          ) : (
            <Typography color="error">No dataset version is recorded: this version is not reproducible.</Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="History of this model’s promotions">
          <div style={TABLE_SCROLL}>
            <Table size="small" className={noBreaks} aria-label="Promotion history">
              <TableHeader columns={['Version', 'Environment', 'Status', 'Requested by', 'Decided by', 'Reason', 'When']} />
              <TableBody>
                {history.map(p => (
                  <TableRow key={p.id}>
                    <TableCell>
                      <Link to={link(p.id) ?? '#'}>v{p.version}</Link>
                    </TableCell>
                    <TableCell>{p.environment}</TableCell>
                    <TableCell>
                      <StatusChip promotion={p} />
                    </TableCell>
                    <TableCell>
                      <Actor entityRef={p.requestedBy} />
                    </TableCell>
                    <TableCell>
                      <Actor entityRef={p.decidedBy} />
                    </TableCell>
                    <TableCell>{p.decisionReason ?? ''}</TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }} title={formatDateTime(p.decidedAt ?? p.requestedAt)}>
                      {age(p.decidedAt ?? p.requestedAt)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** The promotion queue, or with `?id=` one request's sign-off page. */
export function PromotionsPage() {
  const [params] = useSearchParams();
  const id = params.get('id');
  return (
    <Page themeId="tool">
      <Header title="Promotions" subtitle="Versions waiting for sign-off, the evidence behind each, and every decision" />
      <Content>{id ? <SignOff id={id} /> : <Queue />}</Content>
    </Page>
  );
}
