import { Content, Header, Link, Page } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import Chip from '@material-ui/core/Chip';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import Typography from '@material-ui/core/Typography';
import { formatCount, KpiOverview, KpiOverviewRow } from '@modelrails/plugin-mlops-common';
import { useState } from 'react';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { AsyncCard } from '../AsyncCard';
import { formatMetric, SLO_LABEL, SLO_RANK } from '../kpiFormat';
import { Sparkline } from '../Sparkline';
import { TABLE_SCROLL, useNoWordBreaks } from '../tableStyle';

type SortKey = 'cost' | 'slo' | 'model';

/** A title longer than the column is cut with an ellipsis, whole on hover. */
const ELLIPSIS = { display: 'inline-block', maxWidth: 220, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'bottom' } as const;

/** Sorted copies: cost ascending or descending (unknown cost last), SLO worst first, then by name. */
export function sortOverview(items: KpiOverviewRow[], key: SortKey, descending: boolean): KpiOverviewRow[] {
  const sign = descending ? -1 : 1;
  const byName = (a: KpiOverviewRow, b: KpiOverviewRow) => a.title.localeCompare(b.title);
  return [...items].sort((a, b) => {
    if (key === 'cost') {
      if (a.costPer1k === null || b.costPer1k === null) return (a.costPer1k === null ? 1 : 0) - (b.costPer1k === null ? 1 : 0) || byName(a, b);
      return sign * (a.costPer1k - b.costPer1k) || byName(a, b);
    }
    if (key === 'slo') return sign * (SLO_RANK[a.sloStatus] - SLO_RANK[b.sloStatus]) || byName(a, b);
    return sign * byName(a, b);
  });
}

/** A row's SLO state in words: traffic without any SLO measured is not "within SLO". */
function overviewSloLabel(row: KpiOverviewRow) {
  if (row.breaches.length) return SLO_LABEL.breach;
  if (row.sloStatus === 'no-data' && row.predictions > 0) return 'no SLO measured';
  return SLO_LABEL[row.sloStatus];
}

/** The metrics out of their SLO, by their titles (a breach names the metric). */
export function breachTitles(row: KpiOverviewRow) {
  return row.breaches.map(name => row.metrics.find(m => m.name === name)?.title ?? name);
}


/** Every model's KPIs and cost per 1,000 predictions over the last week, sortable by cost and SLO. */
export function KpiOverviewPage() {
  const api = useApi(mlopsApiRef);
  const state = useAsync(() => api.getKpiOverview({ window: '7d', step: '1h' }), [api]);
  return (
    <Page themeId="tool">
      <Header title="Models overview" subtitle="KPIs, SLO status and cost per 1,000 predictions over the last 7 days" />
      <Content>
        <AsyncCard title="Models overview" state={state}>
          {overview => (
            <Paper style={{ overflowX: 'auto' }}>
              <OverviewTable overview={overview} />
            </Paper>
          )}
        </AsyncCard>
      </Content>
    </Page>
  );
}

export function OverviewTable({ overview }: { overview: KpiOverview }) {
  const noBreaks = useNoWordBreaks().table;
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'slo', descending: false });
  const items = sortOverview(overview.items, sort.key, sort.descending);
  const header = (key: SortKey, label: string) => (
    <TableSortLabel active={sort.key === key} direction={sort.key === key && sort.descending ? 'desc' : 'asc'} onClick={() => setSort(s => ({ key, descending: s.key === key ? !s.descending : false }))}>
      {label}
    </TableSortLabel>
  );
  return (
    <div style={TABLE_SCROLL}>
      <Table size="small" className={noBreaks} aria-label="models overview">
        <TableHead style={{ whiteSpace: 'nowrap' }}>
          <TableRow>
            <TableCell>{header('model', 'Model')}</TableCell>
            <TableCell>{header('slo', 'SLO status')}</TableCell>
            <TableCell>KPIs</TableCell>
            <TableCell align="right">{header('cost', `Cost per 1K (${overview.currency})`)}</TableCell>
            <TableCell align="right">Predictions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(row => {
            const ref = parseEntityRef(row.modelRef);
            const kpis = row.metrics.filter(m => m.kind === 'kpi');
            const cost = row.metrics.find(m => m.name === 'cost_per_1k');
            return (
              <TableRow key={row.modelRef} data-model={ref.name} data-slo={row.sloStatus}>
                <TableCell>
                  <Link to={`/catalog/${ref.namespace}/model/${ref.name}`} title={row.title} style={ELLIPSIS}>
                    {row.title}
                  </Link>
                  <Typography variant="caption" color="textSecondary" component="div">
                    {[row.owner, row.lifecycle].filter(Boolean).join(' · ')}
                  </Typography>
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    label={overviewSloLabel(row)}
                    color={row.sloStatus === 'breach' ? 'secondary' : 'default'}
                    variant={row.sloStatus === 'ok' ? 'outlined' : 'default'}
                  />
                  {row.breaches.length > 0 && (
                    <Typography variant="caption" color="textSecondary" component="div" data-testid="slo-breaches">
                      {breachTitles(row).join(', ')}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  {kpis.map(k => (
                    <div key={k.name} data-kpi={k.name} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                      <Typography variant="body2" style={{ whiteSpace: 'nowrap', flex: 1 }}>
                        {k.title}: {formatMetric(k.unit, k.current.value, overview.currency)}
                      </Typography>
                      <Sparkline points={k.points} slo={k.slo} label={`${row.title} ${k.title} trend`} width={84} height={24} />
                    </div>
                  ))}
                </TableCell>
                <TableCell align="right" data-testid="cost-per-1k" style={{ whiteSpace: 'nowrap' }}>
                  <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
                    {cost && <Sparkline points={cost.points} slo={cost.slo} label={`${row.title} cost trend`} width={64} height={24} />}
                    {formatMetric('currency', row.costPer1k, overview.currency)}
                  </span>
                </TableCell>
                <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>{formatCount(row.predictions)}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
