import { KpiMetric, KpiPoint } from '@modelrails/plugin-mlops-common';
import { useTheme } from '@material-ui/core/styles';

/**
 * A metric's points as a line, its SLO band shaded behind it (the band's open side to the edge) and
 * the proportion's interval as a lighter ribbon. Gaps where a step has no data.
 */
export function Sparkline({ points, slo, label, width = 140, height = 32 }: { points: KpiPoint[]; slo: KpiMetric['slo']; label: string; width?: number; height?: number }) {
  const theme = useTheme();
  const values = points.flatMap(p => [p.value, p.lower, p.upper]).filter((v): v is number => v !== null);
  const sloMin = slo?.min ?? null;
  const sloMax = slo?.max ?? null;
  const bounds = [...values, ...(sloMin !== null ? [sloMin] : []), ...(sloMax !== null ? [sloMax] : [])];
  if (!values.length) {
    return (
      <svg role="img" aria-label={`${label}: no data`} width={width} height={height}>
        <line x1={0} x2={width} y1={height / 2} y2={height / 2} stroke={theme.palette.divider} strokeDasharray="3 3" />
      </svg>
    );
  }
  const lo = Math.min(...bounds);
  const hi = Math.max(...bounds);
  const span = hi - lo || Math.abs(hi) || 1;
  const y = (v: number) => height - 2 - ((v - lo) / span) * (height - 4);
  const x = (i: number) => (points.length === 1 ? width / 2 : (i / (points.length - 1)) * width);
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
  });
  if (current) segments.push(current);
  const bandTop = sloMax !== null ? y(sloMax) : 0;
  const bandBottom = sloMin !== null ? y(sloMin) : height;
  return (
    <svg role="img" aria-label={label} width={width} height={height} data-points={points.filter(p => p.value !== null).length}>
      {slo && (slo.min !== null || slo.max !== null) && (
        <rect data-testid="slo-band" x={0} width={width} y={bandTop} height={Math.max(0, bandBottom - bandTop)} fill={theme.palette.success.main} opacity={0.12} />
      )}
      {points.map((p, i) =>
        p.lower !== null && p.upper !== null ? (
          <line key={i} x1={x(i)} x2={x(i)} y1={y(p.lower)} y2={y(p.upper)} stroke={theme.palette.primary.light} strokeWidth={2} opacity={0.4} />
        ) : null,
      )}
      {segments.map((d, i) => (
        <path key={i} d={d} fill="none" stroke={theme.palette.primary.main} strokeWidth={1.5} />
      ))}
      {points.map((p, i) => (p.value !== null ? <circle key={`p${i}`} cx={x(i)} cy={y(p.value)} r={1.8} fill={theme.palette.primary.main} /> : null))}
    </svg>
  );
}
