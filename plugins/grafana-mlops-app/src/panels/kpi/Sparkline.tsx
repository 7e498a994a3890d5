import React from 'react';
import { useTheme2 } from '@grafana/ui';
import { KpiTile } from './types';

const HEIGHT = 32;

/**
 * A metric's steps as a line, its SLO band shaded (the axis widened to show the band's edges)
 * and version changes as dashed lines, over the given time span.
 */
export function Sparkline({ tile, from, to, versionChanges, width }: { tile: KpiTile; from: number; to: number; versionChanges: Array<{ time: number; from: string | null; to: string }>; width: number }) {
  const theme = useTheme2();
  const values = tile.points.map(p => p.value).filter((v): v is number => v !== null);
  const edges = [tile.slo?.min, tile.slo?.max].filter((v): v is number => typeof v === 'number');
  const low = Math.min(...values, ...edges);
  const high = Math.max(...values, ...edges);
  const range = high - low || Math.abs(high) || 1;
  const x = (t: number) => (width * (t - from)) / Math.max(1, to - from);
  const y = (v: number) => HEIGHT - 2 - ((HEIGHT - 4) * (v - low)) / range;
  const path: string[] = [];
  let pen = false;
  for (const p of tile.points) {
    if (p.value === null) {
      pen = false;
      continue;
    }
    path.push(`${pen ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`);
    pen = true;
  }
  const band = tile.slo ? { top: y(tile.slo.max ?? high), bottom: y(tile.slo.min ?? low) } : null;
  const line = tile.sloStatus === 'breach' ? theme.colors.error.main : theme.colors.primary.main;
  return (
    <svg width={width} height={HEIGHT} role="img" aria-label={`${tile.title} over the time range`}>
      {band && <rect data-testid="slo-band" x={0} width={width} y={band.top} height={Math.max(1, band.bottom - band.top)} fill={theme.colors.success.transparent} />}
      {versionChanges.map(v => (
        <line key={v.time} data-testid="version-change" x1={x(v.time)} x2={x(v.time)} y1={0} y2={HEIGHT} stroke={theme.colors.text.secondary} strokeDasharray="3 2">
          <title>{`${v.from ? `v${v.from}` : 'start'} → v${v.to}`}</title>
        </line>
      ))}
      {values.length > 0 && <path d={path.join(' ')} fill="none" stroke={line} strokeWidth={1.5} />}
    </svg>
  );
}
