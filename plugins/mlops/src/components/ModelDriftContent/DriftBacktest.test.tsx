import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Backtest, formatDate } from '@modelrails/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import { MlopsApi, mlopsApiRef } from '../../api/MlopsApi';
import { DriftBacktest } from './DriftBacktest';

const DAY = 86_400_000;
const ref = { kind: 'Model', namespace: 'default', name: 'home-feed-ranker' };

const backtest: Backtest = {
  modelRef: 'model:default/home-feed-ranker',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  stepMs: DAY,
  horizonMs: 3 * DAY,
  maturedUntil: '2026-11-30T23:00:00.000Z',
  changes: [
    { metric: 'ctr', title: 'CTR', kind: 'drop', start: '2026-11-05T00:00:00.000Z', value: 0.0412 },
    { metric: 'ctr', title: 'CTR', kind: 'slo-breach', start: '2026-11-22T00:00:00.000Z', value: 0.0391 },
  ],
  unexplained: 1,
  signals: [
    { feature: 'item_price', check: 'psi', alarms: 3, followed: 2, precision: 2 / 3, missed: 0, missRate: 0, followedMostBy: 'CTR', lowered: false, summary: 'PSI drift in item_price preceded a change in CTR 2 of 3 times',
      episodes: [
        { start: '2026-11-03T00:00:00.000Z', end: '2026-11-05T00:00:00.000Z', followedBy: ['CTR'] },
        { start: '2026-11-20T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z', followedBy: ['CTR'] },
        { start: '2026-11-27T00:00:00.000Z', end: '2026-11-28T00:00:00.000Z', followedBy: [] },
      ],
    },
    { feature: 'user_age', check: 'ks', alarms: 4, followed: 0, precision: 0, missed: 2, missRate: 1, followedMostBy: null, lowered: true, summary: 'KS drift in user_age was followed by no KPI change (4 alarms): reported one tier lower',
      episodes: [9, 12, 17, 26].map(d => ({ start: new Date(Date.UTC(2026, 10, d)).toISOString(), end: new Date(Date.UTC(2026, 10, d + 1)).toISOString(), followedBy: [] })),
    },
  ],
  rule: { lowerSeverity: true, minAlarms: 3, maxPrecision: 0.2 },
};

const apiReturning = (value: Backtest) => ({ getDriftBacktest: jest.fn(async () => value) }) as Partial<MlopsApi> as MlopsApi;

describe('DriftBacktest', () => {
  it('sets every alarm against the KPI changes, in words and numbers', async () => {
    const api = apiReturning(backtest);
    await renderInTestApp(<DriftBacktest modelRef={ref} />, { apis: [[mlopsApiRef, api]] });
    const table = await screen.findByRole('table', { name: 'drift backtest' });
    const price = within(table).getByText('item_price').closest('tr')!;
    expect(price).toHaveTextContent('PSI');
    expect(price).toHaveTextContent('66.7 %');
    expect(price).toHaveTextContent('0 of 2');
    expect(price).toHaveTextContent('PSI drift in item_price preceded a change in CTR 2 of 3 times');
    const age = within(table).getByText('user_age').closest('tr')!;
    expect(age).toHaveTextContent('KS test');
    expect(within(age).getByText('reported one tier lower')).toBeInTheDocument();
    expect(screen.getByLabelText('KPI changes')).toHaveTextContent('CTR fell on');
    expect(screen.getByLabelText('KPI changes')).toHaveTextContent('1 with no drift alarm before it');
    expect(screen.getByText(/last 30 days/)).toBeInTheDocument();
    expect(screen.getByText(/at most 20\.0\s% were followed is reported one tier lower/)).toBeInTheDocument();
    expect(api.getDriftBacktest).toHaveBeenCalledWith(ref);
  });

  it('draws the window as days: each episode where it alarmed, marked by whether a change followed, and the changes above', async () => {
    await renderInTestApp(<DriftBacktest modelRef={ref} />, { apis: [[mlopsApiRef, apiReturning(backtest)]] });
    const timeline = await screen.findByRole('figure', { name: 'backtest timeline' });
    expect(timeline).toHaveAttribute('data-episodes', '7');
    expect(timeline).toHaveAttribute('data-followed', '2');
    const row = (feature: string) => timeline.querySelector(`tr[data-feature="${feature}"]`)!;
    // Thirty day squares a row; item_price alarmed on 3–4, 20 and 27 November.
    expect(row('item_price').querySelectorAll('td')).toHaveLength(30);
    const alarmed = (feature: string, kind: string) => Array.from(row(feature).querySelectorAll(`td[data-alarm="${kind}"]`)).map(td => td.getAttribute('title')!.split(':')[0]);
    const nov = (...days: number[]) => days.map(d => formatDate(Date.UTC(2026, 10, d)));
    expect(alarmed('item_price', 'followed')).toEqual(nov(3, 4, 20));
    expect(alarmed('item_price', 'not-followed')).toEqual(nov(27));
    expect(alarmed('user_age', 'followed')).toEqual([]);
    expect(alarmed('user_age', 'not-followed')).toHaveLength(4);
    // The changes on 5 and 22 November, in the row above.
    const changes = Array.from(timeline.querySelectorAll('tr[data-row="changes"] td'));
    expect(changes.map((td, i) => (td.getAttribute('data-change') ? i + 1 : null)).filter(Boolean)).toEqual([5, 22]);
    expect(changes[4]).toHaveAttribute('title', `CTR fell on ${nov(5)[0]}`);
  });

  it('says so when nothing alarmed and nothing changed', async () => {
    await renderInTestApp(<DriftBacktest modelRef={ref} />, { apis: [[mlopsApiRef, apiReturning({ ...backtest, changes: [], unexplained: 0, signals: [], rule: { ...backtest.rule, lowerSeverity: false } })]] });
    expect(await screen.findByText('No drift alarm in this window.')).toBeInTheDocument();
    expect(screen.getByText('No KPI changed for the worse in this window.')).toBeInTheDocument();
    expect(screen.getByText(/severities are not lowered/)).toBeInTheDocument();
  });
});
