import { InfoCard } from '@backstage/core-components';
import { formatNumber, ModelVersionList } from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

type Item = ModelVersionList['items'][number];

/** One point per version: its value, and the bound its gates drew for it (the champion's value less the allowed drop…). */
export type MetricPoint = { version: string; value: number | null; bound: number | null; champion: boolean };
export type MetricSeries = { metric: string; gate: string; points: MetricPoint[] };

/**
 * The metrics the gates read, each across versions oldest first, with the bound each version's gate
 * evaluation stated (from the backend's gate results: nothing is recomputed here).
 */
export function metricSeries(list: ModelVersionList): MetricSeries[] {
  const oldestFirst = [...list.items].reverse();
  const gateOf = new Map<string, string>();
  for (const item of list.items) for (const r of item.gates?.results ?? []) if (r.metric && !gateOf.has(r.metric)) gateOf.set(r.metric, r.name);
  return [...gateOf.entries()].map(([metric, gate]) => ({
    metric,
    gate,
    points: oldestFirst.map((item: Item) => {
      const value = item.metrics[metric] ?? null;
      const judged = (item.gates?.results ?? []).filter(r => r.metric === metric && r.bound !== undefined);
      // Of several gates on one metric: the one it failed, else the one it came closest to failing.
      const failed = judged.filter(r => r.status === 'fail');
      const candidates = (failed.length ? failed : judged).map(r => r.bound!);
      const distance = (b: number) => Math.abs(b - (value ?? 0));
      return {
        version: `v${item.version}`,
        value,
        bound: candidates.length ? candidates.reduce((a, b) => (distance(a) <= distance(b) ? a : b)) : null,
        champion: item.version === list.champion,
      };
    }),
  }));
}

function ChampionDot(props: { cx?: number; cy?: number; payload?: MetricPoint; stroke?: string }) {
  const { cx, cy, payload, stroke } = props;
  if (cx === undefined || cy === undefined || !payload || payload.value === null) return null;
  return payload.champion ? (
    <g data-testid="champion-point">
      <circle cx={cx} cy={cy} r={7} fill="#fff" stroke={stroke} strokeWidth={2} />
      <circle cx={cx} cy={cy} r={3.5} fill={stroke} />
    </g>
  ) : (
    <circle cx={cx} cy={cy} r={3} fill={stroke} />
  );
}

function MetricChart({ series }: { series: MetricSeries }) {
  const theme = useTheme();
  const valueColour = theme.palette.primary.main;
  const boundColour = theme.palette.error.main;
  return (
    <Box role="figure" aria-label={`${series.metric} across versions`} data-points={series.points.filter(p => p.value !== null).length}>
      <Typography variant="subtitle2">{series.metric}</Typography>
      <Typography variant="caption" color="textSecondary">
        gate: {series.gate}
      </Typography>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={series.points} margin={{ top: 12, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="version" tick={{ fontSize: 12 }} />
          <YAxis domain={['auto', 'auto']} tickFormatter={formatNumber} tick={{ fontSize: 12 }} width={56} />
          <Tooltip formatter={(value: number, name: string) => [formatNumber(value), name]} />
          <Line type="monotone" dataKey="value" name={series.metric} stroke={valueColour} strokeWidth={2} dot={<ChampionDot />} isAnimationActive={false} connectNulls />
          <Line type="stepAfter" dataKey="bound" name="fails beyond" stroke={boundColour} strokeDasharray="6 4" dot={false} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

/** Each gate metric across versions, the champion ringed and the gate's bound dashed: slow decay at a glance. */
export function MetricsAcrossVersions({ list }: { list: ModelVersionList }) {
  const series = metricSeries(list).filter(s => s.points.some(p => p.value !== null));
  if (!series.length || list.items.length < 2) return null;
  return (
    <InfoCard title="Gate metrics across versions" subheader="Oldest to newest; the champion ringed; dashed: the value each version's gate fails beyond">
      <Grid container spacing={2}>
        {series.map(s => (
          <Grid item xs={12} md={6} lg={4} key={s.metric} style={{ minWidth: 0 }}>
            <MetricChart series={s} />
          </Grid>
        ))}
      </Grid>
    </InfoCard>
  );
}
