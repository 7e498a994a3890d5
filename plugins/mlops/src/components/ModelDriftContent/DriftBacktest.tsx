import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { Backtest, formatCount, formatDate, formatDuration, formatNumber, formatPercent } from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { AsyncCard } from '../AsyncCard';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

const NUMERIC = { whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' } as const;
const CHECK_LABEL: Record<string, string> = { psi: 'PSI', ks: 'KS test', 'chi-square': 'chi-square test', tail: 'tail check' };

function subheader(b: Backtest): string {
  const days = Math.round((Date.parse(b.to) - Date.parse(b.from)) / 86_400_000);
  return `Each feature's drift alarms over the last ${days} days against KPI changes on matured labels up to ${formatDuration(b.horizonMs)} after · labels matured until ${formatDate(b.maturedUntil)}`;
}

function Changes({ backtest }: { backtest: Backtest }) {
  if (!backtest.changes.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No KPI changed for the worse in this window.
      </Typography>
    );
  }
  return (
    <Typography variant="body2" aria-label="KPI changes">
      KPI changes:{' '}
      {backtest.changes
        .map(c => `${c.title} ${c.kind === 'slo-breach' ? 'left its SLO' : 'fell'} on ${formatDate(c.start)} (${formatNumber(c.value)})`)
        .join(' · ')}
      {backtest.unexplained ? ` · ${formatCount(backtest.unexplained)} with no drift alarm before ${backtest.unexplained === 1 ? 'it' : 'them'}` : ''}
    </Typography>
  );
}

const FOLLOWED = '#d84315';
const NOT_FOLLOWED = '#ffcc80';
const CHANGE = '#1565c0';
const ALARM_COLOR = { followed: FOLLOWED, 'not-followed': NOT_FOLLOWED, none: '#eeeeee' } as const;
const CELL_PX = 18;
const LABEL_PX = 220;
const LABEL_TEXT = { display: 'inline-block', maxWidth: LABEL_PX - 8, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'bottom' } as const;

const swatch = (color: string) => <span style={{ display: 'inline-block', width: 10, height: 10, background: color, marginRight: 4, verticalAlign: 'middle' }} />;

/**
 * The window as a strip of steps (days): a row per feature and check, its alarm episodes filled
 * where a KPI change followed them and pale where nothing did, and the KPI changes marked above,
 * so a reader sees which alarms came before which change.
 */
export function BacktestTimeline({ backtest }: { backtest: Backtest }) {
  const from = Date.parse(backtest.from);
  const steps = Math.max(1, Math.round((Date.parse(backtest.to) - from) / backtest.stepMs));
  const starts = Array.from({ length: steps }, (_, i) => from + i * backtest.stepMs);
  const within = (at: number, t: number) => at >= t && at < t + backtest.stepMs;
  const changesAt = (t: number) => backtest.changes.filter(c => within(Date.parse(c.start), t));
  // A date over every seventh step; a last group too short for its date is left blank.
  const groups = starts.filter((_, i) => i % 7 === 0).map((t, g) => ({ t, span: Math.min(7, steps - g * 7) }));
  const cell = { width: CELL_PX, height: CELL_PX, padding: 0 } as const;
  const label = { width: LABEL_PX, maxWidth: LABEL_PX, whiteSpace: 'nowrap', textAlign: 'left', fontWeight: 'normal', paddingRight: 8 } as const;
  const followedCount = backtest.signals.reduce((n, s) => n + s.episodes.filter(e => e.followedBy.length).length, 0);
  return (
    <Box
      role="figure"
      aria-label="backtest timeline"
      data-episodes={backtest.signals.reduce((n, s) => n + s.episodes.length, 0)}
      data-followed={followedCount}
      data-changes={backtest.changes.length}
      mt={2}
      style={{ overflowX: 'auto' }}
    >
      <Typography variant="body2" component="table" style={{ borderCollapse: 'separate', borderSpacing: 2, tableLayout: 'fixed' }}>
        <thead>
          <tr>
            <th style={label} />
            {groups.map(g => (
              <th key={g.t} colSpan={g.span} style={{ textAlign: 'left', fontWeight: 'normal', whiteSpace: 'nowrap', overflow: 'hidden', padding: 0 }}>
                <Typography variant="caption" color="textSecondary">
                  {g.span >= 5 ? formatDate(g.t) : ''}
                </Typography>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr data-row="changes">
            <th scope="row" style={label}>
              KPI changes
            </th>
            {starts.map(t => {
              const changes = changesAt(t);
              return (
                <td
                  key={t}
                  style={{ ...cell, color: CHANGE, textAlign: 'center', fontSize: 12 }}
                  data-change={changes.length > 0 || undefined}
                  title={changes.map(c => `${c.title} ${c.kind === 'slo-breach' ? 'left its SLO' : 'fell'} on ${formatDate(c.start)}`).join('; ') || undefined}
                >
                  {changes.length ? '▼' : ''}
                </td>
              );
            })}
          </tr>
          {backtest.signals.map(s => (
            <tr key={`${s.feature}-${s.check}`} data-feature={s.feature} data-check={s.check}>
              <th scope="row" style={label}>
                {/* A long name is cut with an ellipsis inside its own box (whole on hover); the cell keeps its width. */}
                <span title={`${s.feature} · ${CHECK_LABEL[s.check] ?? s.check}`} style={LABEL_TEXT}>
                  {s.feature} · {CHECK_LABEL[s.check] ?? s.check}
                </span>
              </th>
              {starts.map(t => {
                const episode = s.episodes.find(e => t >= Date.parse(e.start) && t < Date.parse(e.end));
                const followed = !!episode?.followedBy.length;
                let alarm: 'followed' | 'not-followed' | undefined;
                if (episode) alarm = followed ? 'followed' : 'not-followed';
                const what = followed ? `, followed by a change in ${episode!.followedBy.join(', ')}` : ', nothing followed';
                return (
                  <td
                    key={t}
                    data-alarm={alarm}
                    title={episode ? `${formatDate(t)}: ${CHECK_LABEL[s.check] ?? s.check} alarm on ${s.feature}${what}` : undefined}
                    style={{ ...cell, background: ALARM_COLOR[alarm ?? 'none'] }}
                  />
                );
              })}
            </tr>
          ))}
        </tbody>
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p" style={{ marginTop: 4 }}>
        {swatch(FOLLOWED)}alarm a KPI change followed · {swatch(NOT_FOLLOWED)}alarm nothing followed ·{' '}
        <span style={{ color: CHANGE }}>▼</span> KPI change · one square per {formatDuration(backtest.stepMs)}
      </Typography>
    </Box>
  );
}

/** The Drift tab's "did it matter?": every feature's alarms set against the KPI changes that followed. */
export function DriftBacktest({ modelRef }: { modelRef: CompoundEntityRef }) {
  const api = useApi(mlopsApiRef);
  const noBreaks = useNoWordBreaks().table;
  const state = useAsync(() => api.getDriftBacktest(modelRef), [api, modelRef.namespace, modelRef.name]);
  return (
    <AsyncCard title="Drift backtest" state={state}>
      {backtest => (
        <InfoCard title="Drift backtest: did the alarms matter?" subheader={subheader(backtest)}>
          <Changes backtest={backtest} />
          {backtest.signals.length ? <BacktestTimeline backtest={backtest} /> : null}
          {backtest.signals.length ? (
            <div style={TABLE_SCROLL}>
              <Table size="small" className={noBreaks} aria-label="drift backtest">
                <TableHeader
                  columns={['Feature', 'Check', { label: 'Alarms', numeric: true }, { label: 'Followed', numeric: true }, { label: 'Precision', numeric: true }, { label: 'Changes missed', numeric: true }, 'What happened']}
                />
                <TableBody>
                  {backtest.signals.map(s => (
                    <TableRow key={`${s.feature}-${s.check}`} data-feature={s.feature} data-check={s.check}>
                      <TableCell style={{ whiteSpace: 'nowrap' }}>{s.feature}</TableCell>
                      <TableCell style={{ whiteSpace: 'nowrap' }}>{CHECK_LABEL[s.check] ?? s.check}</TableCell>
                      <TableCell align="right" style={NUMERIC}>{formatCount(s.alarms)}</TableCell>
                      <TableCell align="right" style={NUMERIC}>{formatCount(s.followed)}</TableCell>
                      <TableCell align="right" style={NUMERIC}>{formatPercent(s.precision)}</TableCell>
                      <TableCell align="right" style={NUMERIC}>
                        {backtest.changes.length ? `${formatCount(s.missed)} of ${formatCount(backtest.changes.length)}` : '—'}
                      </TableCell>
                      <TableCell>
                        {s.summary.replace(/: reported one tier lower$/, '')}
                        {s.lowered ? <Chip size="small" label="reported one tier lower" style={{ marginLeft: 8 }} /> : null}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          ) : (
            <Typography variant="body2" color="textSecondary">
              No drift alarm in this window.
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary" component="p" style={{ marginTop: 8 }}>
            {backtest.rule.lowerSeverity
              ? `Policy: a signal with at least ${backtest.rule.minAlarms} alarms of which at most ${formatPercent(backtest.rule.maxPrecision)} were followed is reported one tier lower.`
              : 'Policy: severities are not lowered by the backtest (drift.backtest.lowerSeverity).'}
          </Typography>
        </InfoCard>
      )}
    </AsyncCard>
  );
}
