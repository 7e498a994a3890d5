import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2, PanelProps } from '@grafana/data';
import { PanelEmptyState } from '../../shared/PanelEmptyState';
import { Badge, BadgeColor, useStyles2 } from '@grafana/ui';
import { decisionLog } from './decisionLog';
import { CanaryDecision, CanaryPanelOptions } from './types';

const BADGE: Record<CanaryDecision, BadgeColor> = {
  continue: 'blue',
  promote: 'green',
  rollback: 'red',
  inconclusive: 'orange',
  pause: 'purple',
};

export function CanaryPanel({ data, options, width, height, timeZone }: PanelProps<CanaryPanelOptions>) {
  const styles = useStyles2(getStyles);
  const rows = decisionLog(data.series, options);
  if (!rows.length) {
    return <PanelEmptyState message="No canary decisions in this time range" />;
  }
  return (
    <div style={{ width, height, overflow: 'auto' }}>
      <table className={styles.table} aria-label="Canary decision log">
        <thead>
          <tr>
            <th scope="col">time</th>
            <th scope="col">step</th>
            <th scope="col">check</th>
            <th scope="col">value</th>
            <th scope="col">threshold</th>
            <th scope="col">decision</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={`${row.time}-${row.check}-${i}`} data-decision={row.decision}>
              <td>{dateTimeFormat(row.time, { format: 'YYYY-MM-DD HH:mm:ss', timeZone })}</td>
              <td>{row.step}</td>
              <td>{row.check}</td>
              <td>{row.value}</td>
              <td>{row.threshold}</td>
              <td>
                <Badge text={row.decision} color={BADGE[row.decision]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css`
    width: 100%;
    border-collapse: collapse;
    font-size: ${theme.typography.bodySmall.fontSize};
    th,
    td {
      padding: ${theme.spacing(0.5, 1)};
      border-bottom: 1px solid ${theme.colors.border.weak};
      text-align: left;
    }
  `,
});
