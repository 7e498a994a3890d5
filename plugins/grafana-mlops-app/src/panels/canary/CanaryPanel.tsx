import React from 'react';
import { css, cx } from '@emotion/css';
import { dateTimeFormat, formattedValueToString, getValueFormat, GrafanaTheme2, PanelProps } from '@grafana/data';
import type { RolloutStage } from '@modelrails/plugin-mlops-common';
import { Badge, BadgeColor, useStyles2, useTheme2 } from '@grafana/ui';
import { PanelStatus } from '../../shared/PanelStatus';
import { canaryView } from './canaryView';
import { CanaryPanelOptions, CheckView, DecisionView } from './types';

const STATUS_BADGE: Record<string, BadgeColor> = {
  running: 'blue',
  paused: 'purple',
  pending: 'orange',
  succeeded: 'green',
  'rolled-back': 'red',
  aborted: 'darkgrey',
};

const VERDICT_BADGE: Record<CheckView['verdict'], BadgeColor> = { pass: 'green', fail: 'red', inconclusive: 'darkgrey', collecting: 'orange' };

const STAGE_COLOUR: Record<RolloutStage, string> = { shadow: 'purple', canary: 'blue', full: 'green', 'rolled-back': 'red', aborted: 'gray' };

export function formatCheckValue(value: number | null, unit: string): string {
  if (value === null) {
    return '—';
  }
  // Counts and seconds are whole; correlations and PSI need three places.
  const decimals = unit === 'short' || unit === 's' ? 0 : unit === 'none' ? 3 : 2;
  return formattedValueToString(getValueFormat(unit)(value, decimals));
}

export function CanaryPanel({ data, options, width, height, timeZone }: PanelProps<CanaryPanelOptions>) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const view = canaryView(data.series, data.timeRange.to.valueOf());
  if (!view) {
    return <PanelStatus data={data} width={width} height={height} empty="This model has no rollout" />;
  }
  const { rollout, spans } = view;
  const start = spans[0]?.from ?? 0;
  const total = Math.max(1, (spans[spans.length - 1]?.to ?? start) - start);
  const at = (t: number) => `${(100 * (t - start)) / total}%`;
  const time = (t: number) => dateTimeFormat(t, { format: 'MM-DD HH:mm:ss', timeZone });
  const log = options.onlyTrafficChanges ? view.decisions.filter(d => d.movedTraffic) : view.decisions;

  return (
    <div className={styles.panel} style={{ width, height }}>
      <header className={styles.header}>
        <strong>
          v{rollout.version}
          {rollout.champion ? ` vs v${rollout.champion}` : ''}
        </strong>
        <Badge text={rollout.status} color={STATUS_BADGE[rollout.status] ?? 'blue'} />
        <span className={styles.secondary}>
          {rollout.stage}
          {rollout.stage === 'canary' ? ` ${rollout.weight} %` : ''} · {rollout.target}
        </span>
        {rollout.headline && <span className={styles.headline}>{rollout.headline}</span>}
      </header>

      <div className={styles.timeline} role="img" aria-label={`Stages: ${spans.map(s => `${s.stage} ${s.weight} %`).join(', ')}`}>
        {spans.map(span => (
          <div
            key={`${span.from}-${span.stage}-${span.weight}`}
            data-stage={span.stage}
            className={styles.span}
            style={{ left: at(span.from), width: `max(3px, ${(100 * (span.to - span.from)) / total}%)`, background: theme.visualization.getColorByName(STAGE_COLOUR[span.stage]) }}
            title={`${span.stage} ${span.weight} % from ${time(span.from)} to ${time(span.to)}`}
          >
            {span.stage === 'canary' ? `${span.weight} %` : span.stage}
          </div>
        ))}
        {view.rollbacks.map(t => (
          <div key={t} className={styles.rollback} style={{ left: at(t) }} data-testid="rollback-marker" title={`Rolled back at ${time(t)}`}>
            ▼
          </div>
        ))}
      </div>

      {options.showAnalysis && view.latestAnalysis && <Analysis decision={view.latestAnalysis} time={time} styles={styles} />}

      <div className={styles.scroll}>
        <table className={styles.table} aria-label="Decision log">
          <thead>
            <tr>
              <th scope="col">time</th>
              <th scope="col">stage</th>
              <th scope="col">action</th>
              <th scope="col">checks (value vs threshold)</th>
              <th scope="col">by</th>
            </tr>
          </thead>
          <tbody>
            {log.map(d => (
              <tr key={d.id} data-action={d.action}>
                <td>{time(d.time)}</td>
                <td>
                  {d.stage}
                  {d.stage === 'canary' ? ` ${d.weight} %` : ''}
                </td>
                <td>
                  <Badge text={d.action} color={d.action === 'rollback' ? 'red' : d.action === 'complete' || d.action === 'promote' ? 'green' : 'blue'} />
                </td>
                <td>
                  {d.checks.length === 0 ? (
                    <span className={styles.secondary}>{d.reason}</span>
                  ) : (
                    d.checks.map(c => (
                      <span key={c.check} className={cx(styles.check, styles[c.verdict])} title={c.detail} data-verdict={c.verdict}>
                        {c.check} {formatCheckValue(c.value, c.unit)} {c.comparator === '<=' ? '≤' : '≥'} {formatCheckValue(c.threshold, c.unit)}
                      </span>
                    ))
                  )}
                </td>
                <td className={styles.secondary}>{d.actor.replace(/^plugin:mlops:/, '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Analysis({ decision, time, styles }: { decision: DecisionView; time: (t: number) => string; styles: ReturnType<typeof getStyles> }) {
  return (
    <table className={styles.table} aria-label="Champion vs challenger">
      <caption className={styles.caption}>Latest analysis, {time(decision.time)}</caption>
      <thead>
        <tr>
          <th scope="col">check</th>
          <th scope="col">champion</th>
          <th scope="col">challenger</th>
          <th scope="col">95 % interval</th>
          <th scope="col">threshold</th>
          <th scope="col">verdict</th>
        </tr>
      </thead>
      <tbody>
        {decision.checks.map(c => (
          <tr key={c.check} data-check={c.check}>
            <th scope="row">{c.check}</th>
            <td>{c.check === 'kpi' ? formatCheckValue(c.championValue, 'percentunit') : formatCheckValue(c.championValue, c.unit)}</td>
            <td title={c.detail}>
              {c.check === 'kpi' && c.value !== null ? `${c.value >= 0 ? '+' : ''}${formatCheckValue(c.value, c.unit)} vs champion` : formatCheckValue(c.value, c.unit)}
            </td>
            <td>{c.lower !== null && c.upper !== null ? <IntervalBar check={c} styles={styles} /> : <span className={styles.secondary}>—</span>}</td>
            <td>
              {c.comparator === '<=' ? '≤' : '≥'} {formatCheckValue(c.threshold, c.unit)}
            </td>
            <td>
              <Badge text={c.verdict} color={VERDICT_BADGE[c.verdict]} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The interval on an axis spanning it, zero and the threshold: is the threshold inside? */
function IntervalBar({ check, styles }: { check: CheckView; styles: ReturnType<typeof getStyles> }) {
  const theme = useTheme2();
  const lower = check.lower!;
  const upper = check.upper!;
  const min = Math.min(lower, check.threshold, 0);
  const max = Math.max(upper, check.threshold, 0);
  const span = max - min || 1;
  const x = (v: number) => 4 + (112 * (v - min)) / span;
  const label = `${formatCheckValue(lower, check.unit)} to ${formatCheckValue(upper, check.unit)}`;
  return (
    <span className={styles.interval}>
      <svg width={120} height={14} role="img" aria-label={label}>
        <line x1={x(0)} x2={x(0)} y1={1} y2={13} stroke={theme.colors.text.disabled} />
        <line x1={x(check.threshold)} x2={x(check.threshold)} y1={1} y2={13} stroke={theme.colors.error.main} strokeDasharray="2 2" />
        <line x1={x(lower)} x2={x(upper)} y1={7} y2={7} stroke={theme.colors.text.primary} strokeWidth={3} />
        {check.value !== null && <circle cx={x(check.value)} cy={7} r={3} fill={theme.colors.primary.main} />}
      </svg>
      {label}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css`
    display: flex;
    flex-direction: column;
    gap: ${theme.spacing(1)};
    overflow: hidden;
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
  header: css`
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: ${theme.spacing(1)};
  `,
  headline: css`
    color: ${theme.colors.error.text};
  `,
  secondary: css`
    color: ${theme.colors.text.secondary};
  `,
  timeline: css`
    position: relative;
    flex: 0 0 24px;
    background: ${theme.colors.background.secondary};
    border-radius: ${theme.shape.radius.default};
  `,
  span: css`
    position: absolute;
    top: 2px;
    bottom: 2px;
    border-radius: 2px;
    color: #fff;
    font-size: 11px;
    line-height: 20px;
    padding: 0 4px;
    overflow: hidden;
    white-space: nowrap;
  `,
  rollback: css`
    position: absolute;
    top: -6px;
    transform: translateX(-50%);
    color: ${theme.colors.error.text};
  `,
  caption: css`
    caption-side: top;
    text-align: left;
    color: ${theme.colors.text.secondary};
  `,
  scroll: css`
    flex: 1 1 auto;
    min-height: 40px;
    overflow: auto;
  `,
  table: css`
    width: 100%;
    border-collapse: collapse;
    th,
    td {
      padding: ${theme.spacing(0.25, 1)};
      border-bottom: 1px solid ${theme.colors.border.weak};
      text-align: left;
      vertical-align: top;
    }
  `,
  check: css`
    display: inline-block;
    margin-right: ${theme.spacing(1)};
    white-space: nowrap;
  `,
  pass: css`
    color: ${theme.colors.success.text};
  `,
  fail: css`
    color: ${theme.colors.error.text};
    font-weight: ${theme.typography.fontWeightBold};
  `,
  inconclusive: css`
    color: ${theme.colors.text.secondary};
  `,
  collecting: css`
    color: ${theme.colors.warning.text};
  `,
  interval: css`
    white-space: nowrap;
    svg {
      vertical-align: middle;
      margin-right: ${theme.spacing(0.5)};
    }
  `,
});
