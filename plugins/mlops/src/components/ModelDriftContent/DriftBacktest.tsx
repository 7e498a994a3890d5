import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { Backtest, formatCount, formatDate, formatDuration, formatNumber, formatPercent } from '@modelrails/plugin-mlops-common';
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
