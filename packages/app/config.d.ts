export interface Config {
  auth?: {
    providers?: {
      /** The demo's sign-in as one of its catalog users (packages/backend/src/modules/demoUsersAuth.ts). */
      'demo-users'?: {
        /**
         * Catalog user names (namespace default) the sign-in page offers.
         * @visibility frontend
         */
        users?: string[];
      };
    };
  };
}
