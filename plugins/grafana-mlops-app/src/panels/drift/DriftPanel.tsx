import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2, PanelProps } from '@grafana/data';
import { PanelEmptyState } from '../../shared/PanelEmptyState';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { driftMatrix } from './driftMatrix';
import { DriftPanelOptions, DriftStatus } from './types';

export function DriftPanel({ data, options, width, height, timeZone }: PanelProps<DriftPanelOptions>) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const matrix = driftMatrix(data.series, options);
  if (!matrix.features.length) {
    return <PanelEmptyState message="No drift data in this time range" />;
  }
  const colour: Record<DriftStatus, string> = {
    ok: theme.colors.success.transparent,
    warning: theme.colors.warning.main,
    critical: theme.colors.error.main,
    contract: theme.colors.error.shade,
  };
  return (
    <div style={{ width, height, overflow: 'auto' }}>
      <table className={styles.table} aria-label="Drift by feature and time">
        <thead>
          <tr>
            <th scope="col">feature</th>
            {matrix.times.map(t => (
              <th scope="col" key={t}>
                {dateTimeFormat(t, { format: 'HH:mm', timeZone })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.features.map(feature => (
            <tr key={feature}>
              <th scope="row">{feature}</th>
              {matrix.times.map(t => {
                const cell = matrix.cells[feature][t];
                return (
                  <td
                    key={t}
                    data-status={cell?.status ?? 'none'}
                    title={cell ? `${feature}: PSI ${cell.psi.toFixed(3)} (${cell.status})` : 'no data'}
                    style={{ background: cell ? colour[cell.status] : undefined }}
                  >
                    {cell ? cell.psi.toFixed(2) : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css`
    border-collapse: collapse;
    font-size: ${theme.typography.bodySmall.fontSize};
    th,
    td {
      padding: ${theme.spacing(0.5)};
      border: 1px solid ${theme.colors.border.weak};
      text-align: right;
    }
    th[scope='row'] {
      text-align: left;
    }
  `,
});
