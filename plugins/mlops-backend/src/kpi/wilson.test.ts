import fixtures from './__fixtures__/scipy.json';
import { wilsonInterval } from './wilson';

describe('Wilson score interval', () => {
  it.each(fixtures.wilson.map(c => [c.x, c.n, c]))('matches SciPy for %i of %i', (_x, _n, c) => {
    const [low, high] = wilsonInterval(c.x, c.n)!;
    expect(low).toBeCloseTo(c.low, 12);
    expect(high).toBeCloseTo(c.high, 12);
  });

  it('has no interval without trials or with impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(wilsonInterval(3, 2)).toBeNull();
    expect(wilsonInterval(-1, 2)).toBeNull();
  });
});
