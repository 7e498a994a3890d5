import React, { useState } from 'react';
import { css, cx } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2, PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import type { Severity } from '@modelrails/plugin-mlops-common';
import { useStyles2 } from '@grafana/ui';
import { PanelStatus } from '../../shared/PanelStatus';
import { DistributionBars } from './DistributionBars';
import { distributionOf, driftMatrix } from './driftMatrix';
import { DriftCellView, DriftPanelOptions } from './types';

const DAY = 86_400_000;
/** Below this width a cell shows its colour only. */
const VALUE_CELL_PX = 40;

export function DriftPanel({ data, options, width, height, timeZone, replaceVariables }: PanelProps<DriftPanelOptions>) {
  const styles = useStyles2(getStyles);
  const [hovered, setHovered] = useState<{ feature: string; cell: DriftCellView } | null>(null);
  const matrix = driftMatrix(data.series, options);
  const distribution = distributionOf(data.series);
  if (!matrix?.rows.length) {
    return <PanelStatus data={data} width={width} height={height} empty="No drift data for this model in the time range" />;
  }
  const variable = options.featureVariable.replace(/^\$/, '');
  const selected = distribution?.feature ?? (variable ? replaceVariables(`$${variable}`) : '');
  const selectFeature = (feature: string) => {
    if (variable) {
      locationService.partial({ [`var-${variable}`]: feature }, true);
    }
  };
  // The hover line carries the full date; headers stay short.
  const format = matrix.stepMs >= DAY ? 'MM-DD' : 'HH:mm';
  const labelEvery = Math.max(1, Math.ceil(matrix.times.length / Math.max(1, Math.floor((width - 160) / 56))));
  const cellPx = (width - 160) / Math.max(1, matrix.times.length);
  const describe = (feature: string, c: DriftCellView) =>
    [
      feature,
      dateTimeFormat(c.time, { format: 'YYYY-MM-DD HH:mm', timeZone }),
      c.psi === null ? 'PSI —' : `PSI ${c.psi.toFixed(3)}`,
      c.severity === 'insufficient' ? 'too few samples' : c.severity === 'none' ? 'no drift' : c.severity,
      `n ${c.n.toLocaleString('en')}`,
      c.pValue === null ? '' : `p ${c.pValue.toPrecision(2)}`,
      c.violations.length ? `contract: ${c.violations.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' · ');

  return (
    <div className={styles.panel} style={{ width, height }}>
      <div className={styles.caption} aria-live="polite" data-testid="drift-hover">
        {hovered ? describe(hovered.feature, hovered.cell) : `${matrix.rows.length} features · ${matrix.segment === '*' || matrix.segment === 'all' ? 'all traffic' : matrix.segment}${matrix.version ? ` · v${matrix.version}` : ''} · select a feature for its distributions`}
      </div>
      <div className={styles.scroll}>
        <table className={styles.table} aria-label="Drift by feature and time">
          <thead>
            <tr>
              <th scope="col" className={styles.featureHead}>
                feature
              </th>
              {matrix.times.map((t, i) => (
                <th scope="col" key={t} className={styles.timeHead}>
                  {i % labelEvery === 0 ? dateTimeFormat(t, { format, timeZone }) : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.rows.map(row => (
              <tr key={row.feature} data-feature={row.feature} data-worst={row.worst} aria-selected={row.feature === selected}>
                <th scope="row" className={cx(styles.featureHead, row.feature === selected && styles.selected)}>
                  <button type="button" className={styles.featureButton} onClick={() => selectFeature(row.feature)} title={`Show ${row.feature}'s reference and current distributions`}>
                    {row.feature}
                  </button>
                </th>
                {row.cells.map(cell => (
                  <td
                    key={cell.time}
                    data-severity={cell.severity}
                    data-contract={cell.violations.length ? cell.violations.join(',') : undefined}
                    className={cx(styles.cell, styles[cell.severity], cell.violations.length > 0 && styles.contract)}
                    title={describe(row.feature, cell)}
                    onMouseEnter={() => setHovered({ feature: row.feature, cell })}
                    onMouseLeave={() => setHovered(null)}
                  >
                    {cell.violations.length > 0 ? '!' : options.showValues && cellPx >= VALUE_CELL_PX && cell.psi !== null ? cell.psi.toFixed(2) : ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Legend styles={styles} />
      {distribution && <DistributionBars distribution={distribution} />}
    </div>
  );
}

function Legend({ styles }: { styles: ReturnType<typeof getStyles> }) {
  const items: Array<[Severity | 'contract', string]> = [
    ['none', 'no drift'],
    ['warning', 'warning'],
    ['critical', 'critical'],
    ['insufficient', 'too few samples'],
    ['contract', 'contract violated'],
  ];
  return (
    <div className={styles.legend} aria-label="Legend">
      {items.map(([key, label]) => (
        <span key={key}>
          <span className={cx(styles.swatch, key === 'contract' ? cx(styles.none, styles.contract) : styles[key])} /> {label}
        </span>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css`
    display: flex;
    flex-direction: column;
    gap: ${theme.spacing(0.5)};
    overflow: hidden;
  `,
  caption: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
    min-height: 1.5em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  `,
  scroll: css`
    flex: 1 1 auto;
    min-height: 60px;
    overflow: auto;
  `,
  table: css`
    width: 100%;
    border-collapse: separate;
    border-spacing: 1px;
    table-layout: fixed;
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
  featureHead: css`
    width: 150px;
    text-align: left;
    font-weight: ${theme.typography.fontWeightMedium};
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  `,
  timeHead: css`
    color: ${theme.colors.text.secondary};
    font-weight: normal;
    white-space: nowrap;
    overflow: visible;
    text-align: left;
  `,
  featureButton: css`
    all: unset;
    cursor: pointer;
    &:hover,
    &:focus-visible {
      text-decoration: underline;
    }
  `,
  selected: css`
    color: ${theme.colors.primary.text};
  `,
  cell: css`
    height: 22px;
    text-align: center;
    border-radius: 2px;
    cursor: default;
  `,
  swatch: css`
    display: inline-block;
    width: 12px;
    height: 12px;
    border-radius: 2px;
    vertical-align: middle;
  `,
  none: css`
    background: ${theme.colors.success.transparent};
    color: ${theme.colors.text.primary};
  `,
  warning: css`
    background: ${theme.colors.warning.main};
    color: ${theme.colors.warning.contrastText};
  `,
  critical: css`
    background: ${theme.colors.error.main};
    color: ${theme.colors.error.contrastText};
  `,
  insufficient: css`
    background: ${theme.colors.background.secondary};
    color: ${theme.colors.text.disabled};
  `,
  contract: css`
    box-shadow: inset 0 0 0 2px ${theme.colors.error.border};
    font-weight: ${theme.typography.fontWeightBold};
  `,
  legend: css`
    display: flex;
    flex-wrap: wrap;
    gap: ${theme.spacing(1.5)};
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
});
