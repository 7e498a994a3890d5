import { coreServices, createBackendModule, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { createTemplateAction, executeShellCommand, scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the demo keeps the repositories its templates create, beside its database. */
export const DEFAULT_DEMO_REPOSITORIES = '../../.data/repositories';

/** A git repository of the folder's files, one commit; without git on the machine, the files alone. */
async function commitAll(dir: string, message: string, logger: LoggerService) {
  const git = (...args: string[]) =>
    executeShellCommand({
      command: 'git',
      args: ['-c', 'user.name=ModelRails demo', '-c', 'user.email=demo@modelrails.invalid', '-c', 'init.defaultBranch=main', ...args],
      options: { cwd: dir },
      logger,
    });
  try {
    await git('init', '--quiet');
    await git('add', '--all');
    await git('commit', '--quiet', '--message', message);
  } catch (error) {
    logger.warn(`Published the files without a git history: ${(error as Error).message}`);
  }
}

/**
 * `publish:demo`: the embedded demo's stand-in for `publish:github` and its kind. The workspace
 * becomes a git repository in a local folder; `catalogInfoUrl` is its catalog-info.yaml's `file:`
 * URL, which `catalog:register` reads through the portal's file URL reader (the folder must be
 * among `mlops.runbooks.localDirectories`). A real portal publishes to its git host instead.
 */
export function createPublishDemoAction(options: { directory: string }) {
  return createTemplateAction({
    id: 'publish:demo',
    description: "Publishes the workspace as a git repository in the demo's local folder (the embedded demo's stand-in for publish:github)",
    schema: {
      input: {
        name: z =>
          z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (up to 63)')
            .describe('The repository name'),
        description: z => z.string().optional().describe('The first commit message'),
      },
      output: {
        remoteUrl: z => z.string().describe('The repository folder, as a file: URL'),
        repoContentsUrl: z => z.string().describe('Its contents'),
        catalogInfoUrl: z => z.string().describe('Its catalog-info.yaml, for catalog:register'),
      },
    },
    async handler(ctx) {
      const target = path.join(options.directory, ctx.input.name);
      if (await stat(target).catch(() => undefined)) throw new ConflictError(`A repository named ${ctx.input.name} exists already`);
      await mkdir(options.directory, { recursive: true });
      await cp(ctx.workspacePath, target, { recursive: true });
      await commitAll(target, ctx.input.description ?? 'Created from a Software Template', ctx.logger);
      const url = pathToFileURL(target).href;
      ctx.logger.info(`Published ${ctx.input.name} to ${target}`);
      ctx.output('remoteUrl', url);
      ctx.output('repoContentsUrl', `${url}/`);
      ctx.output('catalogInfoUrl', `${url}/catalog-info.yaml`);
    },
  });
}

/** Adds `publish:demo` to the Scaffolder, publishing into `demo.repositories.directory`. */
export default createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'demo-publish',
  register(reg) {
    reg.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint, config: coreServices.rootConfig },
      async init({ scaffolder, config }) {
        const directory = path.resolve(config.getOptionalString('demo.repositories.directory') ?? DEFAULT_DEMO_REPOSITORIES);
        scaffolder.addActions(createPublishDemoAction({ directory }));
      },
    });
  },
});
