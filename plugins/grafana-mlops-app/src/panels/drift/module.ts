import { PanelPlugin } from '@grafana/data';
import { DriftPanel } from './DriftPanel';
import { DEFAULT_DRIFT_OPTIONS, DriftPanelOptions } from './types';

export const plugin = new PanelPlugin<DriftPanelOptions>(DriftPanel).setPanelOptions(builder =>
  builder
    .addNumberInput({
      path: 'warning',
      name: 'Warning PSI',
      description: 'PSI above this is shown as a warning',
      defaultValue: DEFAULT_DRIFT_OPTIONS.warning,
    })
    .addNumberInput({
      path: 'critical',
      name: 'Critical PSI',
      description: 'PSI above this is shown as critical',
      defaultValue: DEFAULT_DRIFT_OPTIONS.critical,
    })
);
