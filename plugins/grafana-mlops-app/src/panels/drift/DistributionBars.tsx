import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { DistributionView } from './types';

const percent = (share: number) => `${(100 * share).toFixed(1)} %`;

/** The selected feature's reference and current shares per bin, side by side. */
export function DistributionBars({ distribution }: { distribution: DistributionView }) {
  const styles = useStyles2(getStyles);
  const max = Math.max(1e-9, ...distribution.bins.flatMap(b => [b.reference, b.current]));
  return (
    <section className={styles.section} aria-label={`Distribution of ${distribution.feature}`}>
      <header className={styles.header}>
        <strong>{distribution.feature}</strong>: reference <span className={styles.referenceKey} /> vs current <span className={styles.currentKey} />
        {' · '}
        {distribution.severity === 'insufficient' ? 'too few samples' : distribution.severity === 'none' ? 'no drift' : distribution.severity}
        {distribution.psi !== null && ` · PSI ${distribution.psi.toFixed(3)}`}
      </header>
      <div className={styles.bins} role="table" aria-label={`${distribution.feature} bins`}>
        {distribution.bins.map(bin => (
          <div key={bin.label} role="row" className={styles.bin} title={`${bin.label}: reference ${percent(bin.reference)}, current ${percent(bin.current)}`}>
            <span role="rowheader" className={styles.label}>
              {bin.label}
            </span>
            <span role="cell" className={styles.bars}>
              <span className={styles.reference} style={{ width: `${(100 * bin.reference) / max}%` }} aria-label={`reference ${percent(bin.reference)}`} />
              <span className={styles.current} style={{ width: `${(100 * bin.current) / max}%` }} aria-label={`current ${percent(bin.current)}`} />
            </span>
            <span role="cell" className={styles.numbers}>
              {percent(bin.reference)} → {percent(bin.current)}
            </span>
          </div>
        ))}
      </div>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const reference = theme.visualization.getColorByName('semi-dark-blue');
  const current = theme.visualization.getColorByName('orange');
  return {
    section: css`
      flex: 0 1 45%;
      min-height: 80px;
      overflow: auto;
      border-top: 1px solid ${theme.colors.border.weak};
      padding-top: ${theme.spacing(0.5)};
      font-size: ${theme.typography.bodySmall.fontSize};
    `,
    header: css`
      margin-bottom: ${theme.spacing(0.5)};
    `,
    bins: css`
      display: grid;
      gap: 2px;
    `,
    bin: css`
      display: grid;
      grid-template-columns: minmax(80px, 30%) 1fr auto;
      gap: ${theme.spacing(1)};
      align-items: center;
    `,
    label: css`
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    `,
    bars: css`
      display: flex;
      flex-direction: column;
      gap: 1px;
    `,
    reference: css`
      display: block;
      height: 6px;
      background: ${reference};
    `,
    current: css`
      display: block;
      height: 6px;
      background: ${current};
    `,
    referenceKey: css`
      display: inline-block;
      width: 10px;
      height: 10px;
      background: ${reference};
    `,
    currentKey: css`
      display: inline-block;
      width: 10px;
      height: 10px;
      background: ${current};
    `,
    numbers: css`
      color: ${theme.colors.text.secondary};
      white-space: nowrap;
    `,
  };
};
