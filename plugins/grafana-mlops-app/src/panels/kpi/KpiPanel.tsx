import React from 'react';
import { css, cx } from '@emotion/css';
import { formattedValueToString, getValueFormat, GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { PanelStatus } from '../../shared/PanelStatus';
import { kpiGrid } from './kpiGrid';
import { Sparkline } from './Sparkline';
import { KpiPanelOptions, KpiTile } from './types';

const CARD_MIN_PX = 260;

function format(value: number | null, unit: string): string {
  return value === null ? '—' : formattedValueToString(getValueFormat(unit)(value, unit === 'percentunit' ? 2 : undefined));
}

function sloText(tile: KpiTile): string {
  if (!tile.slo) {
    return 'no SLO';
  }
  const { min, max } = tile.slo;
  const band = [min !== null ? `≥ ${format(min, tile.unit)}` : '', max !== null ? `≤ ${format(max, tile.unit)}` : ''].filter(Boolean).join(', ');
  return `SLO ${band}`;
}

export function KpiPanel({ data, options, width, height }: PanelProps<KpiPanelOptions>) {
  const styles = useStyles2(getStyles);
  const cards = kpiGrid(data.series, options);
  if (!cards.length) {
    return <PanelStatus data={data} width={width} height={height} empty="No KPI data for these models in the time range" />;
  }
  const from = data.timeRange.from.valueOf();
  const to = data.timeRange.to.valueOf();
  const columns = Math.max(1, Math.floor(width / CARD_MIN_PX));
  const sparkWidth = Math.max(60, Math.floor(width / columns) - 40);
  return (
    <div className={styles.grid} style={{ width, height, gridTemplateColumns: `repeat(${columns}, 1fr)` }} role="list" aria-label="Model KPIs">
      {cards.map(card => (
        <section key={card.model} className={cx(styles.card, card.sloStatus === 'breach' && styles.breachCard)} role="listitem" aria-label={card.title} data-slo={card.sloStatus}>
          <h3 className={styles.title} title={card.model}>
            {card.title}
          </h3>
          {card.tiles.map(tile => (
            <div key={tile.metric} className={styles.tile} data-metric={tile.metric} data-slo={tile.sloStatus} title={tile.definition ?? undefined}>
              <div className={styles.row}>
                <span className={styles.name}>{tile.title}</span>
                <span className={cx(styles.value, styles[tile.sloStatus])}>{format(tile.value, tile.unit)}</span>
              </div>
              {options.showSparklines && <Sparkline tile={tile} from={from} to={to} versionChanges={card.versionChanges} width={sparkWidth} />}
              <div className={styles.band}>
                {tile.note ?? sloText(tile)}
                {tile.lower !== null && tile.upper !== null && ` · 95 % ${format(tile.lower, tile.unit)}–${format(tile.upper, tile.unit)}`}
              </div>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css`
    display: grid;
    gap: ${theme.spacing(1)};
    overflow: auto;
    align-content: start;
  `,
  card: css`
    border: 1px solid ${theme.colors.border.weak};
    border-radius: ${theme.shape.radius.default};
    padding: ${theme.spacing(1)};
  `,
  breachCard: css`
    border-color: ${theme.colors.error.border};
  `,
  title: css`
    font-size: ${theme.typography.h5.fontSize};
    margin-bottom: ${theme.spacing(0.5)};
  `,
  tile: css`
    padding: ${theme.spacing(0.5, 0)};
    border-top: 1px solid ${theme.colors.border.weak};
  `,
  row: css`
    display: flex;
    justify-content: space-between;
    align-items: baseline;
  `,
  name: css`
    color: ${theme.colors.text.secondary};
  `,
  value: css`
    font-size: ${theme.typography.h4.fontSize};
    font-weight: ${theme.typography.fontWeightMedium};
  `,
  band: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
  ok: css`
    color: ${theme.colors.success.text};
  `,
  breach: css`
    color: ${theme.colors.error.text};
  `,
  'no-data': css`
    color: ${theme.colors.text.primary};
  `,
});
