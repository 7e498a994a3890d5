import { InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  driftMatrixFromSeries,
  DriftRow,
  featureLabel,
  formatCount,
  formatDate,
  formatDateTime,
  formatPercent,
  formatStatistic,
  formatTime,
  KpiStep,
} from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { WindowPicker } from '../WindowPicker';

const WINDOWS: Array<{ window: string; step: KpiStep; label: string }> = [
  { window: '6h', step: '15m', label: '6h' },
  { window: '24h', step: '1h', label: '24h' },
  { window: '7d', step: '6h', label: '7d' },
];
/** Lines drawn at once: the worst drifting features (the view model orders them). */
const MAX_LINES = 6;
const COLOURS = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f'];
const SEVERITY_COLOUR: Record<string, string> = { critical: '#ffcdd2', warning: '#ffe0b2', none: '#c8e6c9', insufficient: '#eeeeee' };

/** The most common PSI thresholds among the drawn features: the reference lines. */
function commonThresholds(rows: DriftRow[]) {
  const counts = new Map<string, { warning: number; critical: number; n: number }>();
  for (const r of rows) {
    if (!r.thresholds) continue;
    const key = `${r.thresholds.warning}/${r.thresholds.critical}`;
    const entry = counts.get(key) ?? { ...r.thresholds, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0];
}

function Distribution({ modelRef, feature, from, to, version }: { modelRef: CompoundEntityRef; feature: string; from: string; to: string; version?: string }) {
  const api = useApi(mlopsApiRef);
  const state = useAsync(() => api.getFeatureDistribution(modelRef, { feature, from, to, version }), [api, modelRef.namespace, modelRef.name, feature, from, to, version]);
  if (state.status === 'loading') return <Progress />;
  if (state.status === 'error') return <ResponseErrorPanel error={state.error} />;
  const d = state.value;
  const data = d.bins.map(b => ({ bin: b.label, reference: b.reference, current: b.current }));
  return (
    <Box role="figure" aria-label={`${featureLabel(feature)} distribution`}>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="subtitle2">{featureLabel(feature)}: reference vs current</Typography>
        <Chip size="small" label={`PSI ${formatStatistic(d.drift.psi)}`} style={{ backgroundColor: SEVERITY_COLOUR[d.drift.severity] }} />
        <Typography variant="caption" color="textSecondary">
          {formatCount(d.drift.n)} events
        </Typography>
      </Box>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="bin" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
          <YAxis tickFormatter={(v: number) => formatPercent(v)} tick={{ fontSize: 11 }} width={64} />
          <Tooltip formatter={(v: number, name: string) => [formatPercent(v), name]} />
          <Legend />
          <Bar dataKey="reference" name="reference" fill="#9e9e9e" isAnimationActive={false} />
          <Bar dataKey="current" name="current" fill="#1565c0" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Box>
  );
}

/**
 * PSI per feature over time (the view model the Grafana drift panel draws, from the same drift
 * series), the worst features first; a click on a feature shows its reference and current
 * distributions.
 */
export function DriftOverTime({ modelRef, version }: { modelRef: CompoundEntityRef; version?: string }) {
  const api = useApi(mlopsApiRef);
  const [choice, setChoice] = useState(WINDOWS[1]);
  const [selected, setSelected] = useState<string>();
  const state = useAsync(
    () => api.getDriftSeries(modelRef, { window: choice.window, step: choice.step, version }),
    [api, modelRef.namespace, modelRef.name, choice, version],
  );
  const matrix = useMemo(() => (state.status === 'ready' ? driftMatrixFromSeries(state.value) : undefined), [state]);
  const picker = <WindowPicker label="drift window" options={WINDOWS} value={choice} onChange={setChoice} />;
  let body;
  if (state.status === 'loading') body = <Progress />;
  else if (state.status === 'error') body = <ResponseErrorPanel error={state.error} />;
  else if (!matrix || !matrix.rows.length || !matrix.times.length) {
    body = <Typography>No drift was measured in this window: no prediction events arrived for this version.</Typography>;
  } else {
    const rows = matrix.rows.filter(r => r.cells.some(c => c.psi !== null)).slice(0, MAX_LINES);
    const data = matrix.times.map((time, i) => Object.fromEntries([['time', time], ...rows.map(r => [r.feature, r.cells[i]?.psi ?? null])]));
    const thresholds = commonThresholds(rows);
    const daily = matrix.stepMs >= 6 * 3_600_000;
    const feature = selected && matrix.rows.some(r => r.feature === selected) ? selected : rows[0]?.feature;
    const series = state.status === 'ready' ? state.value : undefined;
    body = (
      <Grid container spacing={2}>
        <Grid item xs={12} lg={7} style={{ minWidth: 0 }}>
          <Box
            role="figure"
            aria-label="PSI over time"
            data-lines={rows.length}
            data-points={matrix.times.length}
            data-measured-steps={data.filter(d => rows.some(r => d[r.feature] !== null)).length}
          >
            <ResponsiveContainer width="100%" height={280}>
              <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis
                  dataKey="time"
                  type="number"
                  scale="time"
                  domain={['dataMin', 'dataMax']}
                  tickFormatter={(t: number) => (daily ? formatDate(t) : formatTime(t))}
                  tick={{ fontSize: 11 }}
                />
                <YAxis tickFormatter={(v: number) => formatStatistic(v)} tick={{ fontSize: 11 }} width={52} />
                <Tooltip labelFormatter={(t: number) => formatDateTime(t)} formatter={(v: number, name: string) => [formatStatistic(v), featureLabel(name)]} />
                <Legend formatter={(name: string) => featureLabel(name)} onClick={(e: { dataKey?: unknown }) => setSelected(String(e.dataKey))} wrapperStyle={{ cursor: 'pointer' }} />
                {thresholds && <ReferenceLine y={thresholds.warning} stroke="#ef6c00" strokeDasharray="6 4" label={{ value: 'warning', position: 'insideTopRight', fontSize: 11 }} />}
                {thresholds && <ReferenceLine y={thresholds.critical} stroke="#c62828" strokeDasharray="6 4" label={{ value: 'critical', position: 'insideTopRight', fontSize: 11 }} />}
                {rows.map((r, i) => (
                  <Line
                    key={r.feature}
                    type="monotone"
                    dataKey={r.feature}
                    stroke={COLOURS[i % COLOURS.length]}
                    strokeWidth={r.feature === feature ? 3 : 1.5}
                    dot={false}
                    connectNulls
                    isAnimationActive={false}
                    onClick={() => setSelected(r.feature)}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </Box>
          <Box component="section" display="flex" flexWrap="wrap" mt={1} style={{ gap: 6 }} aria-label="drift features">
            {matrix.rows.map(r => (
              <Chip
                key={r.feature}
                size="small"
                clickable
                label={featureLabel(r.feature)}
                onClick={() => setSelected(r.feature)}
                variant={r.feature === feature ? 'default' : 'outlined'}
                style={{ backgroundColor: r.feature === feature ? SEVERITY_COLOUR[r.worst] : undefined, borderColor: SEVERITY_COLOUR[r.worst] }}
                aria-pressed={r.feature === feature}
              />
            ))}
          </Box>
        </Grid>
        <Grid item xs={12} lg={5} style={{ minWidth: 0 }}>
          {feature && series && <Distribution modelRef={modelRef} feature={feature} from={series.from} to={series.to} version={series.version ?? undefined} />}
        </Grid>
      </Grid>
    );
  }
  return (
    <InfoCard title="Drift over time" subheader="PSI per step, the worst features first; pick a feature for its distributions" action={picker}>
      {body}
    </InfoCard>
  );
}
