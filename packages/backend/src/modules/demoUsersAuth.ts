import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { authProvidersExtensionPoint, createProxyAuthenticator, createProxyAuthProviderFactory } from '@backstage/plugin-auth-node';

/** The header the demo's sign-in page sends with the chosen user's name. */
export const DEMO_USER_HEADER = 'x-modelrails-demo-user';

/**
 * Sign in as one of the demo's catalog users (`auth.providers.demo-users.users`), so a newcomer
 * can see what an owner may do and what someone else may not. Like the guest provider it refuses
 * to work outside development unless `dangerouslyAllowOutsideDevelopment` is set: anyone could
 * claim any listed name.
 */
export const demoUsersAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async (result: { user: string }) => ({ profile: { displayName: result.user } }),
  initialize({ config }) {
    const outsideDevelopment = process.env.NODE_ENV !== 'development' && config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') !== true;
    return { disabled: outsideDevelopment, users: new Set(config.getOptionalStringArray('users') ?? []) };
  },
  async authenticate({ req }, { disabled, users }) {
    if (disabled) throw new NotAllowedError('The demo-users provider only works in development (auth.providers.demo-users.dangerouslyAllowOutsideDevelopment)');
    const user = req.header(DEMO_USER_HEADER);
    if (!user) throw new InputError(`${DEMO_USER_HEADER}: missing`);
    if (!users.has(user)) throw new NotAllowedError(`${DEMO_USER_HEADER}: "${user}" is not one of auth.providers.demo-users.users`);
    return { result: { user } };
  },
});

export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-users-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint, config: coreServices.rootConfig },
      async init({ providers, config }) {
        if (!config.has('auth.providers.demo-users')) return;
        providers.registerProvider({
          providerId: 'demo-users',
          factory: createProxyAuthProviderFactory({
            authenticator: demoUsersAuthenticator,
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({ entityRef: { kind: 'user', namespace: 'default', name: result.user } });
            },
          }),
        });
      },
    });
  },
});
