import { InfoCard, StatusError, StatusOK, StatusPending, StatusRunning, WarningPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { Link } from '@backstage/core-components';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  ContractViolation,
  DriftReport,
  FeatureDrift,
  formatCount,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatPValue,
  formatStatistic,
  formatTime,
  featureLabel as featureName,
  RetrainTriggerView,
} from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { AsyncCard } from '../AsyncCard';
import { DriftBacktest } from './DriftBacktest';
import { DriftOverTime } from './DriftOverTime';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';
import { Fragment } from 'react';

const CHECK_LABELS: Record<ContractViolation['check'], string> = {
  'missing-feature': 'feature missing',
  'null-spike': 'null spike',
  'type-change': 'type change',
  'unseen-categories': 'unseen categories',
  'out-of-range': 'out of range',
};

const PVALUE_METHODS: Record<string, string> = {
  exact: 'exact (small samples)',
  'one-sample': "exact for the window, the reference (100 times larger or more) taken as the population",
  asymptotic: "from Kolmogorov's limiting distribution",
};

const TEST_LABELS: Record<FeatureDrift['test'], string> = {
  ks: 'KS test',
  'chi-square': 'chi-square test',
  psi: 'PSI',
  none: '—',
};

const SEVERITY_STYLE: Record<string, { backgroundColor: string; color: string }> = {
  critical: { backgroundColor: '#ffcdd2', color: '#b71c1c' },
  warning: { backgroundColor: '#ffe0b2', color: '#e65100' },
  none: { backgroundColor: '#c8e6c9', color: '#1b5e20' },
};

/** "p = 0.012", or "p < 0.001" where the formatted value is a bound. */
const pEquals = (p: number) => {
  const text = formatPValue(p);
  return /^[<>]/.test(text) ? `p ${text}` : `p = ${text}`;
};

/**
 * "KS test (exact)": which test decided, for KS whether its p-value is exact or asymptotic, and
 * "tail check" beside it when the tail check raised the verdict.
 */
function testLabel(f: FeatureDrift): string {
  const test = f.pValueMethod === 'exact' || f.pValueMethod === 'one-sample' ? `${TEST_LABELS[f.test]} (exact)` : TEST_LABELS[f.test];
  return f.tail?.flagged ? `${test}, tail check` : test;
}

/**
 * The tail check's side that matters (the smaller p-value): the window's share beyond the
 * reference's percentile against the reference's own share there.
 */
function TailCell({ f }: { f: FeatureDrift }) {
  if (!f.tail) return <>—</>;
  const t = f.tail;
  const upper = t.upper.pValue <= t.lower.pValue;
  const side = upper ? t.upper : t.lower;
  // "> p99:" and the shares may sit on two lines when the column is narrow; the shares never split.
  const text = (
    <>
      {upper ? '> p99' : '≤ p1'}: <span style={{ whiteSpace: 'nowrap' }}>{`${formatPercent(side.share)} vs ${formatPercent(side.referenceShare)}`}</span>
    </>
  );
  const detail = `Beyond the reference's 1st percentile (${formatNumber(t.lower.threshold)}): ${formatPercent(t.lower.share)} of the window vs ${formatPercent(t.lower.referenceShare)} of the reference. Beyond its 99th (${formatNumber(t.upper.threshold)}): ${formatPercent(t.upper.share)} vs ${formatPercent(t.upper.referenceShare)}. ${pEquals(t.pValue)}.`;
  return (
    <Tooltip title={detail}>
      <span style={t.flagged ? { color: SEVERITY_STYLE[t.severity]?.color, fontWeight: 600 } : undefined} data-tail-flagged={t.flagged}>
        {text}
      </span>
    </Tooltip>
  );
}

/** The p-value, and on hover the statistic behind it and what the test compares. */
function PValueCell({ f }: { f: FeatureDrift }) {
  let detail: string | undefined;
  if (f.chiSquare) {
    detail = `χ² = ${formatStatistic(f.chiSquare.statistic)} on ${f.chiSquare.degreesOfFreedom} degrees of freedom: homogeneity of the reference's and the window's category counts (2×k, categories only the window has included), not goodness of fit to the reference's shares.`;
  } else if (f.ksStatistic !== null) {
    detail = `KS statistic D = ${formatStatistic(f.ksStatistic)}; p-value ${PVALUE_METHODS[f.pValueMethod ?? 'asymptotic']}.`;
  }
  const text = formatPValue(f.pValue);
  return detail ? (
    <Tooltip title={detail}>
      <span>{text}</span>
    </Tooltip>
  ) : (
    <>{text}</>
  );
}

const segmentLabel = (s: string) => (s === '*' ? 'all traffic' : s);
/** Numbers stay on one line; the column grows instead. */
const NUMERIC = { whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' } as const;

function SeverityChip({ f }: { f: FeatureDrift }) {
  if (f.severity === 'insufficient') return <Chip size="small" variant="outlined" label={`too few events (${formatCount(f.n)})`} />;
  if (!f.flagged && f.attributedTo) return <Chip size="small" variant="outlined" label={`see ${f.attributedTo.map(segmentLabel).join(', ')}`} />;
  const chip = <Chip size="small" label={`${f.flagged ? f.severity : 'no drift'}${f.loweredBy ? ' (lowered)' : ''}`} style={SEVERITY_STYLE[f.flagged ? f.severity : 'none']} />;
  if (!f.loweredBy) return chip;
  // The backtest rule lowered it: say from what, and why.
  return (
    <Tooltip title={`One tier lower than its ${f.loweredBy.join(' and ')} alarm said: such alarms were never followed by a KPI change (see the drift backtest below)`}>
      {chip}
    </Tooltip>
  );
}

function Violations({ report, runbookLink }: { report: DriftReport; runbookLink: string }) {
  const noBreaks = useNoWordBreaks().table;
  const shown = report.violations.filter(v => v.flagged);
  if (!shown.length) {
    return (
      <InfoCard title="Contract checks">
        <Typography>No contract violation in this window: every feature arrived with its type, range and categories.</Typography>
      </InfoCard>
    );
  }
  return (
    <InfoCard title="Contract violations" subheader="Operational breakage: these page the owners, apart from statistical drift">
      <div style={TABLE_SCROLL}>
        <Table size="small" className={noBreaks} aria-label="contract violations">
          <TableHeader columns={['Feature', 'Segment', 'Check', 'Share', 'Limit', 'Since', 'State', 'Runbook']} />
          <TableBody>
            {shown.map(v => (
              <TableRow key={`${v.feature}-${v.segment}-${v.check}`}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{featureName(v.feature)}</TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{segmentLabel(v.segment)}</TableCell>
                <TableCell>{CHECK_LABELS[v.check]}</TableCell>
                <TableCell style={NUMERIC}>{formatPercent(v.value)}</TableCell>
                <TableCell style={NUMERIC}>{formatPercent(v.threshold)}</TableCell>
                <TableCell style={NUMERIC}>{formatDateTime(v.firstBucket)}</TableCell>
                <TableCell style={NUMERIC}>
                  <Chip size="small" label={v.open ? 'open' : `ended ${formatTime(v.lastBucket)}`} style={v.open ? SEVERITY_STYLE.critical : undefined} />
                </TableCell>
                <TableCell>
                  <Link to={runbookLink} aria-label={`runbook for ${v.feature}`}>
                    Runbook
                  </Link>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </InfoCard>
  );
}

function FeatureTable({ report }: { report: DriftReport }) {
  const noBreaks = useNoWordBreaks().table;
  const rows = report.features;
  return (
    <InfoCard
      title="Feature drift"
      subheader={`Version ${report.version} · ${formatCount(report.events)} events from ${formatDateTime(report.window.from)} to ${formatTime(report.window.to)} · reference: ${
        report.reference.kind === 'training' ? `training profile of version ${report.reference.version}` : 'rolling window'
      } · ${report.correction === 'none' ? 'no' : report.correction} correction at α = ${report.alpha}`}
    >
      <div style={TABLE_SCROLL}>
        <Table size="small" className={noBreaks} aria-label="feature drift">
          <TableHeader columns={['Feature', 'Verdict', 'Decided by', { label: 'PSI', numeric: true }, { label: 'p-value', numeric: true }, { label: 'Tail share', numeric: true }, { label: 'Events', numeric: true }, { label: 'Jensen–Shannon', numeric: true, wrap: true }, { label: 'Wasserstein / σ', numeric: true, wrap: true }]} />
          <TableBody>
            {segmentsOf(rows).map(([segment, features]) => (
              <Fragment key={segment}>
                {/* One heading row per segment (all traffic first), in place of a segment column. */}
                <TableRow data-segment-heading={segment}>
                  <TableCell colSpan={9} style={{ paddingTop: 12 }}>
                    <Typography variant="subtitle2" component="span">
                      {segmentLabel(segment)}
                    </Typography>
                  </TableCell>
                </TableRow>
                {features.map(f => (
                  <TableRow key={`${f.feature}-${f.segment}`} data-feature={f.feature} data-segment={f.segment}>
                    <TableCell style={f.kind === 'target' ? undefined : { whiteSpace: 'nowrap' }}>{featureLabel(f)}</TableCell>
                    <TableCell style={NUMERIC}>
                      <SeverityChip f={f} />
                    </TableCell>
                    {/* "KS test (exact), tail check" may wrap between its words. */}
                    <TableCell>{testLabel(f)}</TableCell>
                    <TableCell align="right" style={NUMERIC} title={`warning > ${formatStatistic(f.thresholds.warning)}, critical > ${formatStatistic(f.thresholds.critical)}`}>
                      {formatStatistic(f.psi)}
                    </TableCell>
                    <TableCell align="right" style={NUMERIC}>
                      <PValueCell f={f} />
                    </TableCell>
                    <TableCell align="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                      <TailCell f={f} />
                    </TableCell>
                    <TableCell align="right" style={NUMERIC}>{formatCount(f.n)}</TableCell>
                    <TableCell align="right" style={NUMERIC}>{formatStatistic(f.jensenShannon)}</TableCell>
                    <TableCell align="right" style={NUMERIC}>{formatStatistic(f.wasserstein)}</TableCell>
                  </TableRow>
                ))}
              </Fragment>
            ))}
          </TableBody>
        </Table>
      </div>
    </InfoCard>
  );
}

const STATUS_TEXT: Record<RetrainTriggerView['status'], string> = {
  submitted: 'submitted',
  recorded: 'recorded (no retraining target configured)',
  suppressed: 'held back: one retrain per interval',
  failed: 'failed',
};

function describeTrigger(t: RetrainTriggerView): string {
  const d = t.details as any;
  if (t.reason === 'drift' && Array.isArray(d.features)) {
    return d.features.map((f: any) => `${featureName(f.feature)} (${segmentLabel(f.segment)}) PSI ${formatStatistic(f.psi)} > ${formatStatistic(f.warning)}`).join('; ');
  }
  if (t.reason === 'performance') {
    return d.floor !== undefined
      ? `${d.metric} ${formatNumber(d.value)} below the floor ${formatNumber(d.floor)} on ${d.day}`
      : `${d.metric} ${formatNumber(d.value)} on ${d.day}, ${formatPercent(d.decline)} below the ${d.baselineDays}-day baseline ${formatNumber(d.baseline)}`;
  }
  if (t.reason === 'schedule') return `schedule ${d.schedule}`;
  return '';
}

/** The retraining run as its system reports it (an Argo Workflow's phase), with Backstage's status lights. */
function RunPhase({ run }: { run: RetrainTriggerView['run'] }) {
  if (!run) return <Typography variant="body2" color="textSecondary">—</Typography>;
  const text = `${run.phase}${run.message ? `: ${run.message}` : ''}`;
  const title = `Last read ${formatDateTime(run.checkedAt)}`;
  let light = <StatusPending>{text}</StatusPending>;
  if (run.phase === 'Succeeded') light = <StatusOK>{text}</StatusOK>;
  else if (run.phase === 'Running') light = <StatusRunning>{text}</StatusRunning>;
  else if (run.finished) light = <StatusError>{text}</StatusError>;
  return (
    <Tooltip title={title}>
      <span aria-label={`retraining run ${run.phase}`}>{light}</span>
    </Tooltip>
  );
}

function RetrainTriggers({ items }: { items: RetrainTriggerView[] }) {
  const noBreaks = useNoWordBreaks().table;
  return (
    <InfoCard title="Retraining triggers" subheader="Drift, performance and schedule; at most one retrain per interval unless critical">
      {items.length ? (
        <div style={TABLE_SCROLL}>
          <Table size="small" className={noBreaks} aria-label="retraining triggers">
            <TableHeader columns={['When', 'Reason', 'Measured', 'Outcome', 'Run']} />
            <TableBody>
              {items.map(t => (
                <TableRow key={t.id}>
                  <TableCell style={NUMERIC}>{formatDateTime(t.createdAt)}</TableCell>
                  <TableCell>
                    {t.reason}
                    {t.severity === 'critical' ? ' (critical)' : ''}
                  </TableCell>
                  <TableCell>{describeTrigger(t)}</TableCell>
                  <TableCell>
                    {STATUS_TEXT[t.status]}
                    {t.approvalBeforeCanary ? ' · the new version waits for a human before canary' : ''}
                    {t.action && 'workflow' in t.action ? ` · workflow ${String(t.action.workflow)}` : ''}
                    {t.action && 'error' in t.action ? ` · ${String(t.action.error)}` : ''}
                  </TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    <RunPhase run={t.run} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : (
        <Typography>No retraining trigger has fired for this model.</Typography>
      )}
    </InfoCard>
  );
}

/** Pseudo-features in words: the score distribution, and the label rate of the model's outcome. */
/** The report's rows by segment, in the order the report gives them (all traffic first). */
export function segmentsOf(rows: FeatureDrift[]): Array<[string, FeatureDrift[]]> {
  const groups = new Map<string, FeatureDrift[]>();
  for (const f of rows) groups.set(f.segment, [...(groups.get(f.segment) ?? []), f]);
  return [...groups];
}

function featureLabel(f: FeatureDrift) {
  if (f.kind === 'prediction') return 'prediction score';
  if (f.kind === 'target') return `label: ${f.outcome} rate ${formatPercent(f.rates?.current)} (reference ${formatPercent(f.rates?.reference)})`;
  return f.feature;
}

/** The Drift tab of a Model: contract violations first (they page), then statistical drift. */
export function ModelDriftContent() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const entityLink = useRouteRef(entityRouteRef);
  const entityParams = { namespace: ref.namespace, kind: entity.kind.toLocaleLowerCase('en-US'), name: ref.name };
  const entityPage = entityLink?.(entityParams) ?? `/catalog/${entityParams.namespace}/${entityParams.kind}/${entityParams.name}`;
  const state = useAsync(() => api.getDriftReport(ref), [api, ref.namespace, ref.name]);
  const triggers = useAsync(() => api.listRetrainTriggers(ref), [api, ref.namespace, ref.name]);
  return (
    <AsyncCard title="Drift" state={state}>
      {report =>
        !report.version ? (
          <WarningPanel severity="info" title="No traffic in this window">
            Drift is computed from the prediction events serving sends to ModelRails (POST /api/mlops/telemetry/predictions).
          </WarningPanel>
        ) : (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <Typography variant="h6">Drift status:</Typography>
                <Chip
                  aria-label="drift status"
                  label={{ none: 'no drift', insufficient: 'insufficient data' }[report.status.drift as string] ?? report.status.drift}
                  style={SEVERITY_STYLE[report.status.drift] ?? undefined}
                />
                <Chip
                  aria-label="open contract violations"
                  label={`${report.status.openViolations} open contract violation${report.status.openViolations === 1 ? '' : 's'}`}
                  style={report.status.openViolations ? SEVERITY_STYLE.critical : SEVERITY_STYLE.none}
                />
              </Box>
            </Grid>
            <Grid item xs={12}>
              <Violations report={report} runbookLink={`${entityPage}/runbooks?alert=contract-violation`} />
            </Grid>
            <Grid item xs={12}>
              <DriftOverTime modelRef={ref} version={report.version ?? undefined} />
            </Grid>
            <Grid item xs={12}>
              <FeatureTable report={report} />
            </Grid>
            <Grid item xs={12}>
              <DriftBacktest modelRef={ref} />
            </Grid>
            <Grid item xs={12}>
              <AsyncCard title="Retraining triggers" state={triggers}>
                {value => <RetrainTriggers items={value.items} />}
              </AsyncCard>
            </Grid>
          </Grid>
        )
      }
    </AsyncCard>
  );
}
