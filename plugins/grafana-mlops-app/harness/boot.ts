/*
 * What Grafana's index page sets before any plugin code runs: the boot data @grafana/runtime's
 * config reads at import time (theme from ?theme=light|dark), and where /public is.
 */
const theme = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';

Object.assign(window, {
  __grafana_public_path__: '/public/',
  grafanaBootData: {
    assets: { dark: '', light: '' },
    navTree: [],
    settings: { featureToggles: {}, datasources: {}, panels: {}, apps: {}, buildInfo: { version: '12.4.2', env: 'development' } },
    user: { theme, timezone: 'utc', regionalFormat: 'en-US', language: 'en-US', lightTheme: theme === 'light' },
  },
});

export {};
