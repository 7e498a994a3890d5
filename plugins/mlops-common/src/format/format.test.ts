import fc from 'fast-check';
import {
  actorLabel,
  actorText,
  featureLabel,
  formatCount,
  formatCurrency,
  formatDateTime,
  formatDuration,
  formatLatency,
  formatNumber,
  formatPercent,
  formatPValue,
  formatRate,
  formatStatistic,
  formatTokenRate,
  formatTokens,
} from './format';

// Spaces in the expectations below are the no-break spaces the formatter writes.
const nb = (text: string) => text.replace(/ /g, '\u00a0');

describe('formatting for people', () => {
  it('shows the values the field reports complained about readably', () => {
    expect(formatPercent(0.148)).toBe(nb('14.8 %'));
    expect(formatPercent(0.0338983)).toBe(nb('3.39 %'));
    expect(formatPercent(0.00012)).toBe(nb('0.012 %'));
    expect(formatPercent(-0.021, { signed: true })).toBe(nb('−2.10 %'));
    expect(formatPercent(0.005, { signed: true })).toBe(nb('+0.5 %'));
    expect(formatNumber(0.16899999999999998)).toBe('0.169');
    expect(formatNumber(0.000001)).toBe('0.000001');
    expect(formatNumber(1234.5678)).toBe('1,235');
    expect(formatNumber(0.9134)).toBe('0.9134');
    expect(formatNumber(12345.678)).toBe('12,345.7');
    expect(formatStatistic(5.3e-4)).toBe('0.001');
    expect(formatStatistic(2.2671)).toBe('2.267');
    expect(formatStatistic(0.0001)).toBe(nb('< 0.001'));
    expect(formatPValue(0.0004)).toBe(nb('< 0.001'));
    expect(formatPValue(0.0412)).toBe('0.041');
    expect(formatCount(11209)).toBe('11,209');
    expect(formatCurrency(2.3612, 'USD')).toBe('$2.36');
    expect(formatCurrency(0.0042, 'EUR')).toBe('€0.004');
    expect(formatLatency(12.34)).toBe(nb('12.3 ms'));
    expect(formatLatency(1250)).toBe(nb('1.25 s'));
    expect(formatRate(3.123)).toBe('3.12/s');
    expect(formatTokens(411.6)).toBe(nb('412 tokens'));
    expect(formatTokens(12_040)).toBe(nb('12,040 tokens'));
    expect(formatTokens(3.5)).toBe(nb('3.5 tokens'));
    expect(formatTokenRate(48.23)).toBe(nb('48.2 tokens/s'));
    expect(formatTokenRate(1250)).toBe(nb('1,250 tokens/s'));
    expect(formatTokenRate(null)).toBe('—');
    expect(formatDuration(245_000)).toBe(nb('4 min 5 s'));
    expect(formatDuration(7_800_000)).toBe(nb('2 h 10 min'));
    expect(formatDateTime('2026-12-03T04:12:30Z')).toMatch(/^3\u00a0Dec\u00a02026, \d\d:\d\d\u00a0\S+$/);
    expect(featureLabel('__score')).toBe('prediction score');
    expect(featureLabel('__target')).toBe('label');
    expect(featureLabel('user_country')).toBe('user_country');
    expect(actorLabel('plugin:mlops:rollout-engine')).toBe('rollout engine');
    expect(actorLabel('user:default/bob')).toBeUndefined();
    expect(actorText('user:default/frank')).toBe('frank');
    expect(actorText('group:finance/pricing')).toBe('finance/pricing');
    expect(actorText('plugin:mlops:rollout-engine')).toBe('rollout engine');
  });

  it('never prints an exponent, and keeps what it prints close to the value', () => {
    const finite = fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, value => {
        const text = formatNumber(value);
        expect(text).not.toMatch(/e/i);
        const parsed = Number(text.replace(/,/g, '').replace('\u2212', '-'));
        // Four significant digits: within half a unit of the fourth digit.
        expect(Math.abs(parsed - value)).toBeLessThanOrEqual(Math.max(Math.abs(value) * 0.005, 0.05 * 10 ** -6) + 1e-12);
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), share => {
        const text = formatPercent(share);
        expect(text).not.toMatch(/e/i);
        expect(text.endsWith('\u00a0%')).toBe(true);
        // No more than three significant digits once leading zeros are dropped.
        const digits = text.replace(/[^0-9]/g, '').replace(/^0+/, '');
        expect(digits.length).toBeLessThanOrEqual(Math.max(3, String(Math.floor(Math.abs(share * 100))).length + 1));
      }),
    );
  });

  it('gives every statistic three decimals, so a column compares by eye', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0005, max: 100, noNaN: true }), value => {
        expect(formatStatistic(value)).toMatch(/^\d{1,3}(,\d{3})*\.\d{3}$/);
      }),
    );
  });
});
