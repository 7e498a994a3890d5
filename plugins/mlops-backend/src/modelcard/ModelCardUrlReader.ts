import {
  AuthService,
  coreServices,
  createServiceFactory,
  DiscoveryService,
  UrlReaderService,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlResponse,
} from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { InputError, NotModifiedError, ResponseError } from '@backstage/errors';
import { ModelCard } from '@modelrails/plugin-mlops-common';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

// TechDocs' own URL preparer reads a Model's card (its techdocs-ref, modelCardDocsRef in
// plugin-mlops-common) as a tree, mkdocs.yml and docs/index.md, through the reader below; its
// generator (mkdocs with techdocs-core) and publisher do the rest.

const parse = (url: string) => {
  const parsed = new URL(url);
  const [namespace, name, ...rest] = parsed.pathname.replace(/^\/+/, '').split('/');
  if (parsed.protocol !== 'modelrails:' || parsed.host !== 'model-card' || !namespace || !name || rest.some(Boolean)) {
    throw new InputError(`${url}: not a model card URL (modelrails://model-card/<namespace>/<name>)`);
  }
  return { namespace: decodeURIComponent(namespace), name: decodeURIComponent(name) };
};

/** The files TechDocs builds a card from. */
export function modelCardFiles(card: ModelCard): Array<{ path: string; content: Buffer }> {
  const mkdocs = [`site_name: ${JSON.stringify(`${card.title}: model card`)}`, 'nav:', '  - Model card: index.md', 'plugins:', '  - techdocs-core', ''].join('\n');
  return [
    { path: 'mkdocs.yml', content: Buffer.from(mkdocs) },
    // One page: the theme's page navigation would only repeat its title.
    { path: 'docs/index.md', content: Buffer.from(`---\nhide:\n  - navigation\n---\n\n${card.markdown}`) },
  ];
}

/**
 * Reads `modelrails://model-card/<namespace>/<name>`: the card from the ModelRails backend (with
 * the reading plugin's service credentials), as a two-file tree. The card's digest is the tree's
 * etag, so TechDocs rebuilds the page only when the card changed.
 */
export class ModelCardUrlReader implements UrlReaderService {
  constructor(private readonly deps: { discovery: DiscoveryService; auth: AuthService; fetch?: typeof fetch }) {}

  predicate(url: URL): boolean {
    return url.protocol === 'modelrails:' && url.host === 'model-card';
  }

  private async card(url: string): Promise<ModelCard> {
    const { namespace, name } = parse(url);
    const base = await this.deps.discovery.getBaseUrl('mlops');
    const { token } = await this.deps.auth.getPluginRequestToken({ onBehalfOf: await this.deps.auth.getOwnServiceCredentials(), targetPluginId: 'mlops' });
    const response = await (this.deps.fetch ?? fetch)(`${base}/models/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/model-card`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as ModelCard;
  }

  async readTree(url: string, options?: { etag?: string }): Promise<UrlReaderServiceReadTreeResponse> {
    const card = await this.card(url);
    if (options?.etag && options.etag === card.etag) throw new NotModifiedError();
    const files = modelCardFiles(card);
    return {
      etag: card.etag,
      files: async () => files.map(f => ({ path: f.path, content: async () => f.content })),
      archive: async () => {
        throw new Error('model cards are read as files or a directory');
      },
      dir: async dirOptions => {
        const dir = dirOptions?.targetDir ?? (await mkdtemp(path.join(tmpdir(), 'modelrails-model-card-')));
        for (const f of files) {
          await mkdir(path.dirname(path.join(dir, f.path)), { recursive: true });
          await writeFile(path.join(dir, f.path), f.content);
        }
        return dir;
      },
    };
  }

  async readUrl(url: string, options?: { etag?: string }): Promise<UrlReaderServiceReadUrlResponse> {
    const card = await this.card(url);
    if (options?.etag && options.etag === card.etag) throw new NotModifiedError();
    const content = Buffer.from(card.markdown);
    return { buffer: async () => content, stream: () => Readable.from(content), etag: card.etag };
  }

  async search(): Promise<never> {
    throw new Error('model cards are read one at a time');
  }

  toString() {
    return 'modelrails{model cards}';
  }
}

/**
 * Adds the model card reader to Backstage's URL reader (`backend.add(mlopsModelCardUrlReaderServiceFactory)`),
 * so TechDocs builds every Model's card.
 * @public
 */
export const mlopsModelCardUrlReaderServiceFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: { discovery: coreServices.discovery, auth: coreServices.auth },
  async factory({ discovery, auth }) {
    return () => {
      const reader = new ModelCardUrlReader({ discovery, auth });
      return [{ reader, predicate: (url: URL) => reader.predicate(url) }];
    };
  },
});
