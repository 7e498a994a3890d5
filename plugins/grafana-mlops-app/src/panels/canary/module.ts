import { PanelPlugin } from '@grafana/data';
import { CanaryPanel } from './CanaryPanel';
import { CanaryPanelOptions, DEFAULT_CANARY_OPTIONS } from './types';

export const plugin = new PanelPlugin<CanaryPanelOptions>(CanaryPanel).setPanelOptions(builder =>
  builder.addBooleanSwitch({
    path: 'onlyTrafficChanges',
    name: 'Only traffic changes',
    description: 'Show only promotions and rollbacks',
    defaultValue: DEFAULT_CANARY_OPTIONS.onlyTrafficChanges,
  })
);
