import { PanelPlugin } from '@grafana/data';
import { DriftPanel } from './DriftPanel';
import { DEFAULT_DRIFT_OPTIONS, DriftPanelOptions } from './types';

export const plugin = new PanelPlugin<DriftPanelOptions>(DriftPanel).setPanelOptions(builder =>
  builder
    .addRadio({
      path: 'sort',
      name: 'Order features',
      settings: {
        options: [
          { value: 'worst', label: 'Worst drift first' },
          { value: 'name', label: 'By name' },
        ],
      },
      defaultValue: DEFAULT_DRIFT_OPTIONS.sort,
    })
    .addBooleanSwitch({
      path: 'showValues',
      name: 'Show PSI in cells',
      description: 'Where cells are wide enough; colours always follow the backend verdict',
      defaultValue: DEFAULT_DRIFT_OPTIONS.showValues,
    })
    .addTextInput({
      path: 'featureVariable',
      name: 'Feature variable',
      description: 'Clicking a feature sets this dashboard variable; a drift query with feature $feature then adds its distributions',
      defaultValue: DEFAULT_DRIFT_OPTIONS.featureVariable,
    })
);
