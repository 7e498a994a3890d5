/* eslint-disable @typescript-eslint/no-deprecated -- plugin.json includes and file provisioning read the classic dashboard JSON (v1) */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { modelDrilldown } from './modelDrilldown';
import { onCallOverview } from './onCallOverview';

/** The dashboards the app ships, by file under dist/dashboards (listed in the app's plugin.json). */
export const DASHBOARDS: Array<{ file: string; build: () => dashboard.Dashboard }> = [
  { file: 'on-call-overview.json', build: onCallOverview },
  { file: 'model-drilldown.json', build: modelDrilldown },
];
