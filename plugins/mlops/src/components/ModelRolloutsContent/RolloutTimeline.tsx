import { formatDateTime, formatPercent, formatTime, RolloutDecision, RolloutDetail } from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { CartesianGrid, ComposedChart, ErrorBar, Legend, Line, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';

/** Decisions that change the rollout's course, marked on the timeline. */
const MARKED: Partial<Record<RolloutDecision['action'], string>> = {
  advance: '#2e7d32',
  promote: '#2e7d32',
  complete: '#2e7d32',
  rollback: '#c62828',
  abort: '#c62828',
  pause: '#ef6c00',
  resume: '#1565c0',
};

export type TimelinePoint = { time: number; weight?: number; kpi?: number; kpiError?: [number, number]; action?: string };

/**
 * The rollout over time, from its decision log as the backend recorded it: the challenger's weight
 * after each decision, and at each analysis the KPI's relative difference with its interval.
 */
export function timelineOf(detail: RolloutDetail): { points: TimelinePoint[]; kpiThreshold?: number; kpiName?: string } {
  const chronological = [...detail.decisions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const points: TimelinePoint[] = [];
  let kpiThreshold: number | undefined;
  // A decision records the weight it was taken at; the line shows the weight it left behind.
  const weightAfter = (d: RolloutDecision) => {
    if (d.action === 'advance') {
      if (d.stage === 'shadow') return detail.steps[0]?.weight ?? 100;
      const step = detail.steps.findIndex(s => s.weight === d.weight);
      return detail.steps[step + 1]?.weight ?? 100;
    }
    if (d.action === 'promote' || d.action === 'complete') return 100;
    if (d.action === 'rollback' || d.action === 'abort') return 0;
    return d.stage === 'shadow' ? 0 : d.weight;
  };
  for (const d of chronological) {
    const kpi = d.checks.find(c => c.check === 'kpi');
    const point: TimelinePoint = { time: Date.parse(d.at), weight: weightAfter(d), action: d.action };
    if (kpi && kpi.value !== null) {
      point.kpi = kpi.value;
      if (kpi.interval && kpi.interval.length === 2) point.kpiError = [kpi.value - kpi.interval[0], kpi.interval[1] - kpi.value];
      kpiThreshold = kpi.threshold;
    }
    points.push(point);
  }
  // The weight holds until now (or until the rollout ended).
  const last = points[points.length - 1];
  const end = detail.endedAt ? Date.parse(detail.endedAt) : Date.now();
  if (last && end > last.time) points.push({ time: end, weight: detail.stage === 'shadow' ? 0 : detail.weight });
  return { points, kpiThreshold };
}

/** Weight per step over time, the KPI difference with its interval at each analysis, the decisions marked. */
export function RolloutTimeline({ detail }: { detail: RolloutDetail }) {
  const { points, kpiThreshold } = timelineOf(detail);
  if (points.length < 2) return null;
  const decisions = points.filter(p => p.action && MARKED[p.action as RolloutDecision['action']]);
  const analyses = points.filter(p => p.kpi !== undefined);
  // A rollout of minutes needs seconds on its axis.
  const seconds = points[points.length - 1].time - points[0].time < 15 * 60_000;
  return (
    <Box role="figure" aria-label="rollout timeline" data-analyses={analyses.length} data-decisions={decisions.length}>
      <Typography variant="subtitle2">Timeline</Typography>
      <Typography variant="caption" color="textSecondary">
        v{detail.version}'s share of traffic (left) and the KPI's difference from the champion with its 95 % interval at each analysis (right)
      </Typography>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={points} margin={{ top: 16, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="time" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => formatTime(t, { seconds })} tick={{ fontSize: 11 }} />
          <YAxis yAxisId="weight" domain={[0, 100]} tickFormatter={(v: number) => `${v}\u00a0%`} tick={{ fontSize: 11 }} width={48} />
          <YAxis yAxisId="kpi" orientation="right" tickFormatter={(v: number) => formatPercent(v, { signed: true })} tick={{ fontSize: 11 }} width={64} />
          <Tooltip
            labelFormatter={(t: number) => formatDateTime(t)}
            formatter={(value: number, name: string) => [name === 'weight' ? `${value}\u00a0%` : formatPercent(value, { signed: true }), name === 'weight' ? `v${detail.version} weight` : 'KPI vs champion']}
          />
          <Legend formatter={(name: string) => (name === 'weight' ? `v${detail.version} weight` : 'KPI vs champion')} />
          <Line yAxisId="weight" type="stepAfter" dataKey="weight" name="weight" stroke="#ef6c00" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
          <Scatter yAxisId="kpi" dataKey="kpi" name="kpi" fill="#1565c0" isAnimationActive={false}>
            <ErrorBar dataKey="kpiError" width={4} strokeWidth={1.5} stroke="#1565c0" direction="y" />
          </Scatter>
          {kpiThreshold !== undefined && (
            <ReferenceLine yAxisId="kpi" y={kpiThreshold} stroke="#c62828" strokeDasharray="6 4" label={{ value: 'rolls back below', position: 'insideBottomRight', fontSize: 11 }} />
          )}
          {decisions.map(p => (
            <ReferenceLine
              key={`${p.time}-${p.action}`}
              yAxisId="weight"
              x={p.time}
              stroke={MARKED[p.action as RolloutDecision['action']]}
              strokeDasharray="2 3"
              label={{ value: p.action, position: 'top', fontSize: 11, fill: MARKED[p.action as RolloutDecision['action']] }}
            />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </Box>
  );
}
