import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatDateTime, formatPercent, KpiReport } from '@modelrails/plugin-mlops-common';
import { useState } from 'react';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { AsyncCard } from '../AsyncCard';
import { WindowPicker } from '../WindowPicker';
import { formatInterval, formatMetric, sloChipLabel } from '../kpiFormat';
import { Sparkline } from '../Sparkline';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';
import { TableHeader } from '../TableHeader';

const WINDOWS = [{ label: '24h' }, { label: '7d' }, { label: '30d' }];

/** The Model's KPIs, latency, errors and cost per 1K over a window, each against its SLO band. */
export function ModelKpiCard() {
  const { entity } = useEntity();
  const api = useApi(mlopsApiRef);
  const ref = getCompoundEntityRef(entity);
  const [window, setWindow] = useState(WINDOWS[0]);
  const state = useAsync(() => api.getKpis(ref, { window: window.label }), [api, ref.namespace, ref.name, window]);
  const windowPicker = <WindowPicker label="KPI window" options={WINDOWS} value={window} onChange={setWindow} />;
  return (
    <AsyncCard title="KPIs" state={state}>
      {report => (
        <InfoCard title="KPIs" action={windowPicker}>
          <KpiTable report={report} />
        </InfoCard>
      )}
    </AsyncCard>
  );
}

export function KpiTable({ report }: { report: KpiReport }) {
  const noBreaks = useNoWordBreaks().table;
  return (
    <>
      <div style={TABLE_SCROLL}>
        <Table size="small" className={noBreaks} aria-label="model KPIs">
          <TableHeader columns={['Metric', { label: 'Value', numeric: true }, { label: '95 % interval', wrap: true }, 'Trend', 'SLO']} />
          <TableBody>
            {report.metrics.map(m => {
              const all = m.series[0];
              return (
                <TableRow key={m.name} data-metric={m.name} data-slo={m.sloStatus}>
                  <TableCell>
                    <Typography variant="body2">{m.title}</Typography>
                    <Typography variant="caption" color="textSecondary">
                      {m.definition}
                    </Typography>
                  </TableCell>
                  <TableCell align="right" data-testid="kpi-value" style={{ whiteSpace: 'nowrap' }}>
                    {formatMetric(m.unit, all.current.value, report.currency)}
                  </TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    <Typography variant="caption">{formatInterval(m.unit, all.current, report.currency)}</Typography>
                  </TableCell>
                  <TableCell>
                    <Sparkline points={all.points} slo={m.slo} label={`${m.title} trend`} width={112} />
                  </TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={sloChipLabel(m.sloStatus, m.unit, m.slo, report.currency)}
                      color={m.sloStatus === 'breach' ? 'secondary' : 'default'}
                      variant={m.sloStatus === 'ok' ? 'outlined' : 'default'}
                    />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
      <Box mt={1}>
        <Typography variant="caption" color="textSecondary" component="p" aria-label="version changes">
          {report.versionChanges.length
            ? `Serving version changed: ${report.versionChanges.map(c => `v${c.from} → v${c.to} at ${formatDateTime(c.at)}`).join('; ')}.`
            : `Served by ${report.versions.map(v => `v${v.version}`).join(', ') || 'no version'} in this window.`}{' '}
          Labels of predictions after {formatDateTime(report.provisionalFrom)} may still arrive. Latency within ±
          {formatPercent(report.latencyRelativeError)}.
        </Typography>
      </Box>
    </>
  );
}
