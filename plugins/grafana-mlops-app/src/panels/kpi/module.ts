import { PanelPlugin, SelectableValue, SelectFieldConfigSettings } from '@grafana/data';
import { KpiPanel } from './KpiPanel';
import { DEFAULT_KPI_OPTIONS, KpiChoice, KpiPanelOptions } from './types';

const METRICS: Array<{ value: KpiChoice; label: string }> = [
  { value: 'kpis', label: "The policy's KPIs (CTR, conversion…)" },
  { value: 'performance', label: 'ROC AUC, precision, recall estimated before labels (needs a Performance query)' },
  { value: 'latency_p95', label: 'p95 latency' },
  { value: 'latency_p50', label: 'p50 latency' },
  { value: 'latency_p99', label: 'p99 latency' },
  { value: 'error_rate', label: 'Error rate' },
  { value: 'throughput', label: 'Throughput' },
  { value: 'cost_per_1k', label: 'Cost per 1,000 predictions' },
];

export const plugin = new PanelPlugin<KpiPanelOptions>(KpiPanel).setPanelOptions(builder =>
  builder
    // Grafana types each option of a multi-select as holding the whole list; each holds one choice.
    .addMultiSelect<KpiChoice[], SelectFieldConfigSettings<KpiChoice[]>>({
      path: 'metrics',
      name: 'Metrics',
      description: 'Shown in this order on each model',
      settings: { options: METRICS as unknown as Array<SelectableValue<KpiChoice[]>> },
      defaultValue: DEFAULT_KPI_OPTIONS.metrics,
    })
    .addRadio({
      path: 'sort',
      name: 'Order models',
      settings: {
        options: [
          { value: 'breaches', label: 'SLO breaches first' },
          { value: 'title', label: 'By title' },
        ],
      },
      defaultValue: DEFAULT_KPI_OPTIONS.sort,
    })
    .addBooleanSwitch({
      path: 'showSparklines',
      name: 'Sparklines',
      description: 'Each metric over the time range, with its SLO band and version changes',
      defaultValue: DEFAULT_KPI_OPTIONS.showSparklines,
    })
);
