import { getCompoundEntityRef } from '@backstage/catalog-model';
import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { formatCount, formatDateTime, formatNumber, GetEvaluation200Response } from '@modelrails/plugin-mlops-common';
import { useState } from 'react';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { AsyncCard } from '../AsyncCard';
import { WindowPicker } from '../WindowPicker';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

type Report = GetEvaluation200Response;
type Window = Report['days'][number];
type MetricKey = 'auc' | 'precision' | 'recall';

const WINDOWS = [
  { label: '24h', step: '1h' as const, windows: 24 },
  { label: '7d', step: '1d' as const, windows: 7 },
];

const METRICS: Array<{ key: MetricKey; title: string }> = [
  { key: 'auc', title: 'ROC AUC' },
  { key: 'precision', title: 'Precision' },
  { key: 'recall', title: 'Recall' },
];

/**
 * The Model's performance per window: what matured labels say, and before they arrive what CBPE
 * estimates from the scores (calibrated on the training profile's held-out labels), with the 95 %
 * interval of the value the labels will realise.
 */
export function ModelPerformanceCard() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const [choice, setChoice] = useState(WINDOWS[0]);
  const state = useAsync(() => api.getEvaluation(ref, { step: choice.step, windows: choice.windows }), [api, ref.namespace, ref.name, choice]);
  const picker = <WindowPicker label="Performance window" options={WINDOWS} value={choice} onChange={setChoice} />;
  return (
    <AsyncCard title="Performance" state={state}>
      {report => (
        <InfoCard title="Performance" subheader={`Judged by "${report.outcome}" at score ≥ ${report.threshold}; labels count once ${report.maturity} old`} action={picker}>
          <PerformanceBody report={report} />
        </InfoCard>
      )}
    </AsyncCard>
  );
}

const latest = (report: Report, pick: (w: Window) => boolean) => [...report.days].reverse().find(pick);

function PerformanceBody({ report }: { report: Report }) {
  const noBreaks = useNoWordBreaks().table;
  if (!report.days.length) {
    return <EmptyState missing="data" title="No scored predictions in this window" description="Performance appears once the model's serving sends predictions with scores." />;
  }
  const estimated = latest(report, w => w.estimated !== null);
  const realised = latest(report, w => w.auc !== null || w.precision !== null);
  const uncalibrated = [...new Set(report.days.flatMap(w => w.estimated?.uncalibrated ?? []))];
  return (
    <>
      <PerformanceChart report={report} />
      <div style={TABLE_SCROLL}>
        <Table size="small" className={noBreaks} aria-label="model performance">
          <TableHeader columns={['Metric', { label: 'Estimated', numeric: true }, '95 % interval', { label: 'Realised', numeric: true }, 'Labelled']} />
          <TableBody>
            {METRICS.map(({ key, title }) => {
              const e = estimated?.estimated?.[key] ?? null;
              return (
                <TableRow key={key} data-metric={key}>
                  <TableCell>{title}</TableCell>
                  <TableCell align="right" data-testid="estimated-value">
                    {formatNumber(e?.value)}
                  </TableCell>
                  <TableCell>
                    <Typography variant="caption">{e ? `${formatNumber(e.lower)} – ${formatNumber(e.upper)}` : '—'}</Typography>
                  </TableCell>
                  <TableCell align="right" data-testid="realised-value">
                    {formatNumber(realised?.[key] ?? null)}
                  </TableCell>
                  <TableCell>
                    <Typography variant="caption">{realised ? `${formatCount(realised.n)} predictions` : 'labels not matured'}</Typography>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
      <Box mt={1}>
        <Typography variant="caption" color="textSecondary" component="p" aria-label="performance notes">
          {estimated?.estimated
            ? `Estimated for the window from ${formatDateTime(estimated.start)} on ${formatCount(estimated.estimated.n)} of ${formatCount(estimated.estimated.of)} predictions (version ${estimated.estimated.versions.join(', ')}). `
            : 'No estimate: no version in this window has a training profile with labels (score.labels). '}
          {realised ? `Realised for the window from ${formatDateTime(realised.start)}. ` : `No window is labelled yet: labels count once ${report.maturity} old. `}
          {uncalibrated.length ? `Not estimated: version ${uncalibrated.join(', ')} (profile without labels). ` : ''}
          Estimates hold while the outcome rate at a given score stays as in training: concept drift shows only in the realised values.
        </Typography>
      </Box>
    </>
  );
}

const WIDTH = 640;
const HEIGHT = 150;
const PAD = { left: 44, right: 12, top: 10, bottom: 22 };

/** ROC AUC per window: the estimate's interval as a band, the estimate dashed, the realised value solid. */
function PerformanceChart({ report }: { report: Report }) {
  const theme = useTheme();
  const points = report.days.map(w => ({ start: w.start, estimate: w.estimated?.auc ?? null, realised: w.auc }));
  const values = points.flatMap(p => [p.realised, p.estimate?.lower, p.estimate?.upper]).filter((v): v is number => typeof v === 'number');
  if (!values.length) {
    return (
      <Typography variant="body2" color="textSecondary" aria-label="ROC AUC over time: no data">
        No ROC AUC yet in this window.
      </Typography>
    );
  }
  const lo = Math.max(0, Math.floor(Math.min(...values) * 20) / 20);
  const hi = Math.min(1, Math.ceil(Math.max(...values) * 20) / 20);
  const span = hi - lo || 0.05;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length === 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - ((v - lo) / span) * innerH;
  const line = (get: (p: (typeof points)[number]) => number | null) => {
    let d = '';
    let open = false;
    points.forEach((p, i) => {
      const v = get(p);
      if (v === null) {
        open = false;
        return;
      }
      d += `${open ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      open = true;
    });
    return d;
  };
  const band = points
    .map((p, i) => (p.estimate ? { i, lower: p.estimate.lower, upper: p.estimate.upper } : null))
    .filter((b): b is { i: number; lower: number; upper: number } => b !== null);
  const bandPath = band.length
    ? `M${band.map(b => `${x(b.i).toFixed(1)},${y(b.upper).toFixed(1)}`).join('L')}L${[...band]
        .reverse()
        .map(b => `${x(b.i).toFixed(1)},${y(b.lower).toFixed(1)}`)
        .join('L')}Z`
    : '';
  const tick = (iso: string) => (report.step === '1h' ? iso.slice(11, 16) : iso.slice(5, 10));
  const labelled = [0, Math.floor((points.length - 1) / 2), points.length - 1].filter((v, i, a) => a.indexOf(v) === i);
  return (
    <Box mb={1}>
      <svg role="img" aria-label="ROC AUC over time, estimated and realised" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" style={{ maxWidth: WIDTH }}>
        {[lo, (lo + hi) / 2, hi].map(v => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} stroke={theme.palette.divider} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" fontSize={11} fill={theme.palette.text.secondary}>
              {formatNumber(v)}
            </text>
          </g>
        ))}
        {labelled.map(i => (
          <text key={i} x={x(i)} y={HEIGHT - 6} textAnchor="middle" fontSize={11} fill={theme.palette.text.secondary}>
            {tick(points[i].start)}
          </text>
        ))}
        {bandPath && <path data-testid="estimate-band" d={bandPath} fill={theme.palette.primary.light} opacity={0.25} />}
        <path data-testid="estimate-line" d={line(p => p.estimate?.value ?? null)} fill="none" stroke={theme.palette.primary.main} strokeWidth={1.5} strokeDasharray="5 3" />
        <path data-testid="realised-line" d={line(p => p.realised)} fill="none" stroke={theme.palette.text.primary} strokeWidth={2} />
        {points.map((p, i) => (p.realised !== null && points.length < 40 ? <circle key={i} cx={x(i)} cy={y(p.realised)} r={2.5} fill={theme.palette.text.primary} /> : null))}
      </svg>
      <Typography variant="caption" color="textSecondary" component="p">
        ROC AUC per {report.step === '1h' ? 'hour' : 'day'} (UTC): dashed, estimated before labels with its 95 % band; solid, realised from matured labels.
      </Typography>
    </Box>
  );
}
