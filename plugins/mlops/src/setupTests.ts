import '@testing-library/jest-dom';

// jsdom has no ResizeObserver (recharts' ResponsiveContainer uses it): charts render at 0 × 0 here,
// the browser tests look at them drawn.
class NoResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= NoResizeObserver;
