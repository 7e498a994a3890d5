import { PanelPlugin } from '@grafana/data';
import { CanaryPanel } from './CanaryPanel';
import { CanaryPanelOptions, DEFAULT_CANARY_OPTIONS } from './types';

export const plugin = new PanelPlugin<CanaryPanelOptions>(CanaryPanel).setPanelOptions(builder =>
  builder
    .addBooleanSwitch({
      path: 'showAnalysis',
      name: 'Champion vs challenger',
      description: 'The latest analysis with 95 % intervals',
      defaultValue: DEFAULT_CANARY_OPTIONS.showAnalysis,
    })
    .addBooleanSwitch({
      path: 'onlyTrafficChanges',
      name: 'Only traffic changes',
      description: 'The decision log keeps decisions that moved traffic or ended the rollout',
      defaultValue: DEFAULT_CANARY_OPTIONS.onlyTrafficChanges,
    })
);
