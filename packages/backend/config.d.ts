export interface Config {
  permission?: {
    modelrails?: {
      /**
       * Groups (entity refs) that may approve promotions and control the rollouts of every Model,
       * and alone may override a failing gate (modules/permissionPolicy.ts).
       * @visibility backend
       */
      platformTeams?: string[];
    };
  };
  auth?: {
    providers?: {
      /** Sign-in as one of the demo's catalog users (modules/demoUsersAuth.ts); development only. */
      'demo-users'?: {
        /** @visibility backend */
        dangerouslyAllowOutsideDevelopment?: boolean;
      };
    };
  };
  demo?: {
    repositories?: {
      /**
       * Where the embedded demo's "New ML model" template publishes each repository
       * (modules/demoRepositories.ts); relative to packages/backend. Default ../../.data/repositories.
       * @visibility backend
       */
      directory?: string;
    };
  };
}
