import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ModelRailsPermissionPolicy } from '@modelrails/plugin-mlops-backend';

/** The portal's permission policy: ModelRails' own, with the platform teams from config. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'modelrails-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(new ModelRailsPermissionPolicy(config.getOptionalStringArray('permission.modelrails.platformTeams') ?? []));
      },
    });
  },
});
