import { renderInTestApp } from '@backstage/frontend-test-utils';
import { KpiOverview, KpiOverviewRow } from '@modelrails/plugin-mlops-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { OverviewTable, sortOverview } from './KpiOverviewPage';

const row = (name: string, sloStatus: KpiOverviewRow['sloStatus'], costPer1k: number | null): KpiOverviewRow => ({
  modelRef: `model:default/${name}`,
  title: name,
  owner: 'team',
  lifecycle: 'production',
  sloStatus,
  breaches: sloStatus === 'breach' ? ['ctr'] : [],
  costPer1k,
  predictions: 1000,
  metrics: [
    {
      name: 'ctr',
      title: 'CTR',
      kind: 'kpi',
      unit: 'ratio',
      direction: 'higher-is-better',
      slo: { min: 0.1, max: null },
      sloStatus,
      current: { value: 0.12, lower: 0.1, upper: 0.14, numerator: 120, denominator: 1000 },
      points: [{ start: '2026-11-24T00:00:00Z', end: '2026-11-24T01:00:00Z', value: 0.12, lower: 0.1, upper: 0.14, numerator: 120, denominator: 1000 }],
    },
  ],
});

const items = [row('baseline', 'ok', 0.08), row('specialist', 'ok', 2.1), row('fraud', 'breach', 0.4), row('idle', 'no-data', null)];

describe('models overview', () => {
  it('sorts by cost either way with unknown cost last, and by SLO worst first', () => {
    expect(sortOverview(items, 'cost', false).map(r => r.title)).toEqual(['baseline', 'fraud', 'specialist', 'idle']);
    expect(sortOverview(items, 'cost', true).map(r => r.title)).toEqual(['specialist', 'fraud', 'baseline', 'idle']);
    expect(sortOverview(items, 'slo', false).map(r => r.title)).toEqual(['fraud', 'baseline', 'specialist', 'idle']);
  });

  it('renders rows with costs and sparklines, re-sorted by clicking a header', async () => {
    const overview: KpiOverview = { from: '', to: '', stepMs: 3600_000, currency: 'USD', items };
    await renderInTestApp(<OverviewTable overview={overview} />);
    const table = screen.getByRole('table', { name: 'models overview' });
    const names = () => within(table).getAllByRole('row').slice(1).map(r => r.getAttribute('data-model'));
    expect(names()).toEqual(['fraud', 'baseline', 'specialist', 'idle']);
    expect(within(table).getAllByTestId('cost-per-1k').map(c => c.textContent)).toEqual(['$0.40', '$0.08', '$2.10', '—']);
    fireEvent.click(screen.getByText('Cost per 1K (USD)'));
    expect(names()).toEqual(['baseline', 'fraud', 'specialist', 'idle']);
    fireEvent.click(screen.getByText('Cost per 1K (USD)'));
    expect(names()).toEqual(['specialist', 'fraud', 'baseline', 'idle']);
    expect(screen.getByRole('img', { name: 'fraud CTR trend' })).toHaveAttribute('data-points', '1');
    // The breach names the metric by its title, not its internal name.
    const fraud = within(table).getAllByRole('row').find(r => r.getAttribute('data-model') === 'fraud')!;
    expect(within(fraud).getByText('out of SLO')).toBeInTheDocument();
    expect(within(fraud).getByTestId('slo-breaches')).toHaveTextContent(/^CTR$/);
  });
});
