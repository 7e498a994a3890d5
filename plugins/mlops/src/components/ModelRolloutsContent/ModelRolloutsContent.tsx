import { InfoCard, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ENDED_ROLLOUT_STATUSES,
  mlopsRolloutAbortPermission,
  mlopsRolloutPausePermission,
  mlopsRolloutPromotePermission,
  mlopsRolloutResumePermission,
  mlopsRolloutRollbackPermission,
  Rollout,
  formatCount,
  formatDate,
  formatDateTime,
  formatDuration,
  formatLatency,
  formatPercent,
  formatPValue,
  formatStatistic,
  formatTime,
  RolloutCheck,
  RolloutDecision,
  RolloutDetail,
} from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { mlopsApiRef, RolloutAction } from '../../api/MlopsApi';
import { usePolled } from '../../hooks/usePolled';
import { AsyncCard } from '../AsyncCard';
import { Actor } from '../Actor';
import { RolloutTimeline } from './RolloutTimeline';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

/** How often an unfinished rollout is re-read: the engine analyses every few seconds at most. */
const POLL_MS = 3_000;
const isLive = (r: Rollout) => !ENDED_ROLLOUT_STATUSES.includes(r.status);

const VERDICT_STYLE: Record<RolloutCheck['verdict'], { backgroundColor: string; color: string }> = {
  pass: { backgroundColor: '#c8e6c9', color: '#1b5e20' },
  fail: { backgroundColor: '#ffcdd2', color: '#b71c1c' },
  inconclusive: { backgroundColor: '#eeeeee', color: '#424242' },
  collecting: { backgroundColor: '#fff3e0', color: '#8a4b00' },
};

const STATUS_STYLE: Record<Rollout['status'], { backgroundColor: string; color: string }> = {
  running: { backgroundColor: '#e3f2fd', color: '#0d47a1' },
  paused: { backgroundColor: '#fff3e0', color: '#8a4b00' },
  pending: { backgroundColor: '#fff3e0', color: '#8a4b00' },
  succeeded: { backgroundColor: '#c8e6c9', color: '#1b5e20' },
  'rolled-back': { backgroundColor: '#ffcdd2', color: '#b71c1c' },
  aborted: { backgroundColor: '#eeeeee', color: '#424242' },
};

const CHECK_LABELS: Record<RolloutCheck['check'], string> = {
  'error-rate': 'Error rate',
  'p99-latency': 'p99 latency',
  kpi: 'KPI vs champion',
  agreement: 'Agreement',
  'rank-correlation': 'Rank correlation (Spearman)',
  'prediction-psi': 'Prediction PSI',
  samples: 'Samples',
  duration: 'Duration',
};

const clock = (iso: string) => formatTime(iso);
const weightText = (weight: number) => `${weight}\u00a0%`;
const NUMERIC = { whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' } as const;

/** A check's number in its own unit: shares as percentages, latency in ms, the KPI as a relative change. */
function formatValue(check: RolloutCheck['check'], value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  switch (check) {
    case 'error-rate':
    case 'agreement':
      return formatPercent(value);
    case 'kpi':
      return formatPercent(value, { signed: true });
    case 'p99-latency':
      return formatLatency(value);
    case 'duration':
      return formatDuration(value * 1000);
    case 'samples':
      return formatCount(value);
    default:
      return formatStatistic(value);
  }
}

function VerdictChip({ verdict }: { verdict: RolloutCheck['verdict'] }) {
  return <Chip size="small" label={verdict} style={VERDICT_STYLE[verdict]} />;
}

/** Shadow, each canary step, full: where the rollout is, and where it stopped if it did. */
function StageTimeline({ rollout }: { rollout: RolloutDetail }) {
  const offset = rollout.router === 'kserve' ? 0 : 1;
  const labels = [...(offset ? ['Shadow'] : []), ...rollout.steps.map(s => weightText(s.weight)), 'Full'];
  const indexOf = (stage: RolloutDecision['stage'], weight: number) => {
    if (stage === 'shadow') return 0;
    if (stage === 'full') return labels.length - 1;
    const step = rollout.steps.findIndex(s => s.weight === weight);
    return step >= 0 ? offset + step : 0;
  };
  let active = 0;
  if (rollout.stage === 'canary') active = offset + (rollout.step ?? 0);
  else if (rollout.stage === 'full') active = labels.length;
  // Where a rollback or abort stopped it: the stage its decision was taken in.
  const stop = rollout.stage === 'rolled-back' || rollout.stage === 'aborted' ? rollout.decisions.find(d => d.action === 'rollback' || d.action === 'abort') : undefined;
  const stoppedAt = stop ? indexOf(stop.stage, stop.weight) : null;
  if (stoppedAt !== null) active = stoppedAt;
  return (
    <Stepper activeStep={active} alternativeLabel aria-label="stage timeline">
      {labels.map((label, i) => (
        <Step key={label} completed={i < active || rollout.stage === 'full'} data-stage={label}>
          <StepLabel error={stoppedAt === i} optional={<Typography variant="caption">{stepNote(rollout, i, offset)}</Typography>}>
            {label}
          </StepLabel>
        </Step>
      ))}
    </Stepper>
  );
}

function stepNote(rollout: Rollout, i: number, offset: number) {
  if (i < offset) return 'mirror';
  const step = rollout.steps[i - offset];
  return step ? `≥ ${step.minDuration}, ≥ ${formatCount(step.minSamples)}` : 'alias moves';
}

/** The champion's and challenger's shares as the router last confirmed them. */
function Weights({ rollout }: { rollout: Rollout }) {
  const challenger = rollout.weight;
  return (
    <Box aria-label="current weights" role="group">
      <Box display="flex" height={28} borderRadius={4} overflow="hidden" border="1px solid #9e9e9e">
        {challenger < 100 && (
          <Box flex={100 - challenger} bgcolor="#90caf9" display="flex" alignItems="center" px={1}>
            <Typography variant="caption">
              v{rollout.champion} champion {weightText(100 - challenger)}
            </Typography>
          </Box>
        )}
        {challenger > 0 && (
          <Box flex={challenger} bgcolor="#ffcc80" display="flex" alignItems="center" px={1}>
            <Typography variant="caption">
              v{rollout.version} {weightText(challenger)}
            </Typography>
          </Box>
        )}
      </Box>
      <Typography variant="body2" data-testid="weights-text">
        v{rollout.champion ?? '—'} {100 - challenger} % · v{rollout.version} {challenger} %{rollout.mirrored ? ` · v${rollout.version} also receives a mirror of all traffic (shadow)` : ''}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        As last verified in {rollout.target}
        {rollout.scaledDown ? `; v${rollout.version} scaled down` : ''}
      </Typography>
      {rollout.pending && (
        <Typography variant="body2" aria-label="pending move" style={{ color: '#8a4b00' }}>
          Waiting for {rollout.target} to confirm {weightText(rollout.pending.weight)} (attempt {rollout.pending.attempts + 1}, next at {clock(rollout.pending.nextAttemptAt)})
          {rollout.pending.lastError ? `: ${rollout.pending.lastError}` : ''}
        </Typography>
      )}
    </Box>
  );
}

const ACTIONS: Array<{ action: RolloutAction; label: string; permission: typeof mlopsRolloutPausePermission; can: (r: Rollout) => boolean }> = [
  { action: 'pause', label: 'Pause', permission: mlopsRolloutPausePermission, can: r => r.status === 'running' },
  { action: 'resume', label: 'Resume', permission: mlopsRolloutResumePermission, can: r => r.status === 'paused' },
  { action: 'promote', label: 'Promote now', permission: mlopsRolloutPromotePermission, can: isLive },
  { action: 'abort', label: 'Abort', permission: mlopsRolloutAbortPermission, can: isLive },
  { action: 'rollback', label: 'Roll back', permission: mlopsRolloutRollbackPermission, can: r => r.champion !== null && (isLive(r) || r.status === 'succeeded') },
];

function ActionButton(props: { rollout: Rollout; spec: (typeof ACTIONS)[number]; busy: boolean; onAct: (action: RolloutAction) => void }) {
  const { rollout, spec, busy, onAct } = props;
  const { allowed, loading } = usePermission({ permission: spec.permission, resourceRef: rollout.modelRef });
  const applicable = spec.can(rollout);
  let why = '';
  if (!loading && !allowed) why = `You lack the ${spec.permission.name} permission`;
  else if (!applicable) why = `Not possible while the rollout is ${rollout.status}`;
  return (
    <Tooltip title={why}>
      <span>
        <Button
          variant={spec.action === 'rollback' || spec.action === 'abort' ? 'outlined' : 'contained'}
          color={spec.action === 'rollback' || spec.action === 'abort' ? 'secondary' : 'primary'}
          disabled={busy || loading || !allowed || !applicable}
          onClick={() => onAct(spec.action)}
        >
          {spec.label}
        </Button>
      </span>
    </Tooltip>
  );
}

function Actions({ rollout, onChanged }: { rollout: Rollout; onChanged: (r: RolloutDetail) => void }) {
  const api = useApi(mlopsApiRef);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const act = async (action: RolloutAction) => {
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await api.actOnRollout(rollout.id, action, { reason }));
      setReason('');
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
      <TextField id={`rollout-reason-${rollout.id}`} label="Reason" size="small" variant="outlined" value={reason} onChange={e => setReason(e.target.value)} inputProps={{ maxLength: 2000 }} />
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        {ACTIONS.map(spec => (
          <ActionButton key={spec.action} rollout={rollout} spec={spec} busy={busy} onAct={act} />
        ))}
      </Box>
      {error && (
        <Typography role="alert" style={{ color: '#b71c1c' }}>
          {error.message}
        </Typography>
      )}
    </Box>
  );
}

function ChecksTable({ checks, label }: { checks: RolloutCheck[]; label: string }) {
  const noBreaks = useNoWordBreaks().table;
  return (
    <div style={TABLE_SCROLL}>
      <Table size="small" className={noBreaks} aria-label={label}>
        <TableHeader columns={['Check', 'Verdict', { label: 'Measured', numeric: true }, { label: 'Threshold', numeric: true }, { label: 'Champion', numeric: true }, { label: 'Samples (challenger / champion)', numeric: true, wrap: true }, { label: 'p-value', numeric: true }, 'Detail']} />
        <TableBody>
          {checks.map(c => (
            <TableRow key={c.check} data-check={c.check} data-verdict={c.verdict}>
              <TableCell style={NUMERIC}>{CHECK_LABELS[c.check]}</TableCell>
              <TableCell>
                <VerdictChip verdict={c.verdict} />
              </TableCell>
              <TableCell align="right" style={NUMERIC}>{formatValue(c.check, c.value)}</TableCell>
              <TableCell align="right" style={NUMERIC}>
                {c.comparator === '<=' ? '≤' : '≥'} {formatValue(c.check, c.threshold)}
              </TableCell>
              <TableCell align="right" style={NUMERIC}>{c.check === 'kpi' ? formatValue('error-rate', c.championValue) : formatValue(c.check, c.championValue)}</TableCell>
              <TableCell align="right" style={NUMERIC}>
                {formatCount(c.challengerN)} / {formatCount(c.championN)}
              </TableCell>
              <TableCell align="right" style={NUMERIC}>{formatPValue(c.pValue)}</TableCell>
              <TableCell style={{ minWidth: 260 }}>
                <Typography variant="caption">{c.detail}</Typography>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** Consecutive holds at the same stage and weight (the engine waiting for time or samples), as one row. */
type LogRow = { first: RolloutDecision; folded: RolloutDecision[] };

export function foldHolds(decisions: RolloutDecision[]): LogRow[] {
  const rows: LogRow[] = [];
  for (const d of decisions) {
    const last = rows[rows.length - 1];
    if (last && d.action === 'hold' && last.first.action === 'hold' && last.first.stage === d.stage && last.first.weight === d.weight) {
      last.folded.push(d);
    } else {
      rows.push({ first: d, folded: [] });
    }
  }
  return rows;
}

function DecisionRow({ row }: { row: LogRow }) {
  const [open, setOpen] = useState(false);
  const d = row.first;
  const oldest = row.folded[row.folded.length - 1];
  return (
    <>
      <TableRow data-action={d.action} data-folded={row.folded.length || undefined}>
        <TableCell style={NUMERIC}>{oldest ? `${clock(oldest.at)}–${clock(d.at)}` : clock(d.at)}</TableCell>
        <TableCell style={NUMERIC}>{d.stage}</TableCell>
        <TableCell align="right" style={NUMERIC}>
          {weightText(d.weight)}
        </TableCell>
        <TableCell style={NUMERIC}>
          {d.action}
          {row.folded.length > 0 && (
            <Button size="small" onClick={() => setOpen(o => !o)} aria-expanded={open} style={{ marginLeft: 4 }}>
              ×{row.folded.length + 1}
            </Button>
          )}
        </TableCell>
        <TableCell style={NUMERIC}>
          <Actor entityRef={d.actor} />
        </TableCell>
        <TableCell style={{ minWidth: 320 }}>
          {d.reason}
          {d.checks.length > 0 && (
            <Box display="flex" flexWrap="wrap" mt={0.5} style={{ gap: 4 }}>
              {d.checks.map(c => (
                <Tooltip key={c.check} title={c.detail}>
                  <Chip size="small" label={`${CHECK_LABELS[c.check]} ${formatValue(c.check, c.value)}`} style={VERDICT_STYLE[c.verdict]} />
                </Tooltip>
              ))}
            </Box>
          )}
        </TableCell>
      </TableRow>
      {open &&
        row.folded.map(f => (
          <TableRow key={f.id} data-action={f.action} style={{ background: 'rgba(0,0,0,0.03)' }}>
            <TableCell style={NUMERIC}>{clock(f.at)}</TableCell>
            <TableCell style={NUMERIC}>{f.stage}</TableCell>
            <TableCell align="right" style={NUMERIC}>
              {weightText(f.weight)}
            </TableCell>
            <TableCell>{f.action}</TableCell>
            <TableCell style={NUMERIC}>
              <Actor entityRef={f.actor} />
            </TableCell>
            <TableCell>{f.reason}</TableCell>
          </TableRow>
        ))}
    </>
  );
}

function DecisionLog({ decisions }: { decisions: RolloutDecision[] }) {
  const noBreaks = useNoWordBreaks().table;
  return (
    <div style={TABLE_SCROLL}>
      <Table size="small" className={noBreaks} aria-label="decision log">
        <TableHeader columns={['Time', 'Stage', { label: 'Weight', numeric: true }, 'Decision', 'By', 'Why, and the checks behind it']} />
        <TableBody>
          {foldHolds(decisions).map(row => (
            <DecisionRow key={row.first.id} row={row} />
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function Headline({ rollout }: { rollout: Rollout }) {
  if (!rollout.headline) return null;
  if (rollout.status === 'rolled-back') {
    return (
      <WarningPanel severity="error" title="Why it rolled back" defaultExpanded>
        <Typography aria-label="why it rolled back">{rollout.headline}</Typography>
      </WarningPanel>
    );
  }
  return (
    <Typography aria-label="rollout headline" variant="body1">
      {rollout.headline}
    </Typography>
  );
}

function RolloutView({ detail, onChanged }: { detail: RolloutDetail; onChanged: (r: RolloutDetail) => void }) {
  const latest = detail.decisions.find(d => d.checks.length);
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <InfoCard
          title={`v${detail.version} against v${detail.champion ?? '—'}`}
          subheader={`Started ${formatDateTime(detail.createdAt)} · ${detail.target}`}
          action={<Chip label={detail.status} style={STATUS_STYLE[detail.status]} aria-label="rollout status" data-status={detail.status} />}
        >
          <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
            <Headline rollout={detail} />
            <StageTimeline rollout={detail} />
            <RolloutTimeline detail={detail} />
            <Weights rollout={detail} />
            <Actions rollout={detail} onChanged={onChanged} />
          </Box>
        </InfoCard>
      </Grid>
      {latest && (
        <Grid item xs={12}>
          <InfoCard title={latest.action === 'rollback' ? 'The analysis that rolled it back' : 'Latest analysis'} subheader={`${clock(latest.at)} at ${latest.stage === 'shadow' ? 'shadow' : weightText(latest.weight)}: ${latest.reason}`}>
            <ChecksTable checks={latest.checks} label="latest analysis" />
          </InfoCard>
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard title="Decision log" subheader="Every analysis and every action, newest first">
          <DecisionLog decisions={detail.decisions} />
        </InfoCard>
      </Grid>
    </Grid>
  );
}

function RolloutPicker({ rollouts, selected, onSelect }: { rollouts: Rollout[]; selected: string; onSelect: (id: string) => void }) {
  if (rollouts.length < 2) return null;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2} role="list" aria-label="rollouts">
      {rollouts.map(r => (
        <Chip
          role="listitem"
          key={r.id}
          clickable
          color={r.id === selected ? 'primary' : 'default'}
          label={`v${r.version} · ${r.status} · ${formatDate(r.createdAt)}`}
          onClick={() => onSelect(r.id)}
        />
      ))}
    </Box>
  );
}

function SelectedRollout({ id }: { id: string }) {
  const api = useApi(mlopsApiRef);
  const state = usePolled(() => api.getRollout(id), [api, id], { intervalMs: POLL_MS, keepPolling: r => isLive(r) || (r.status !== 'succeeded' && !r.scaledDown) });
  return (
    <AsyncCard title="Rollout" state={state}>
      {detail => <RolloutView detail={detail} onChanged={() => state.reload()} />}
    </AsyncCard>
  );
}

/** The Model page's Rollouts tab: the newest rollout live, older ones a click away. */
export function ModelRolloutsContent() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const modelRef = stringifyEntityRef(entity);
  const [picked, setPicked] = useState<string>();
  const list = usePolled(() => api.listRollouts(ref), [api, modelRef], { intervalMs: POLL_MS * 5, keepPolling: () => true });
  return (
    <AsyncCard title="Rollouts" state={list}>
      {rollouts => {
        if (!rollouts.length) {
          return (
            <InfoCard title="Rollouts">
              <Typography>
                No rollout yet. Approving a promotion to production starts one when the model's policy names a traffic target (spec.policy.rollout.traffic);
                without one, approval hands the champion alias over at once.
              </Typography>
            </InfoCard>
          );
        }
        const selected = picked && rollouts.some(r => r.id === picked) ? picked : rollouts[0].id;
        return (
          <>
            <RolloutPicker rollouts={rollouts} selected={selected} onSelect={setPicked} />
            <SelectedRollout id={selected} />
          </>
        );
      }}
    </AsyncCard>
  );
}
