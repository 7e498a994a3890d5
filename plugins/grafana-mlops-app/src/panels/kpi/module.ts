import { PanelPlugin } from '@grafana/data';
import { KpiPanel } from './KpiPanel';
import { DEFAULT_KPI_OPTIONS, KpiPanelOptions } from './types';

export const plugin = new PanelPlugin<KpiPanelOptions>(KpiPanel).setPanelOptions(builder =>
  builder.addNumberInput({
    path: 'decimals',
    name: 'Decimals',
    defaultValue: DEFAULT_KPI_OPTIONS.decimals,
    settings: { min: 0, max: 8, integer: true },
  })
);
