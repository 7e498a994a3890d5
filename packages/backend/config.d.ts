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
}
