import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps } from '@grafana/data';
import { PanelEmptyState } from '../../shared/PanelEmptyState';
import { useStyles2 } from '@grafana/ui';
import { kpiGrid } from './kpiGrid';
import { KpiPanelOptions } from './types';

export function KpiPanel({ data, options, width, height }: PanelProps<KpiPanelOptions>) {
  const styles = useStyles2(getStyles);
  const grid = kpiGrid(data.series);
  if (!grid.size) {
    return <PanelEmptyState message="No KPI data in this time range" />;
  }
  return (
    <div style={{ width, height, overflow: 'auto' }} className={styles.grid} role="list" aria-label="Model KPIs">
      {[...grid.entries()].map(([model, cells]) => (
        <section key={model} className={styles.model} role="listitem" aria-label={model}>
          <h3 className={styles.title}>{model}</h3>
          <dl>
            {cells.map(cell => (
              <div key={cell.kpi} data-slo={cell.status} className={styles[cell.status]}>
                <dt>{cell.kpi}</dt>
                <dd>
                  {cell.value.toFixed(options.decimals)}
                  {cell.status !== 'no-slo' && (
                    <span className={styles.band}>
                      {' '}
                      (SLO {cell.sloMin ?? '−∞'} … {cell.sloMax ?? '+∞'})
                    </span>
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css`
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
    gap: ${theme.spacing(1)};
  `,
  model: css`
    border: 1px solid ${theme.colors.border.weak};
    border-radius: ${theme.shape.radius.default};
    padding: ${theme.spacing(1)};
  `,
  title: css`
    font-size: ${theme.typography.h5.fontSize};
  `,
  band: css`
    color: ${theme.colors.text.secondary};
  `,
  within: css`
    color: ${theme.colors.success.text};
  `,
  below: css`
    color: ${theme.colors.error.text};
  `,
  above: css`
    color: ${theme.colors.error.text};
  `,
  'no-slo': css`
    color: ${theme.colors.text.primary};
  `,
});
