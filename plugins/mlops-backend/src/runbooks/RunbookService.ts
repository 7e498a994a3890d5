import { AuthService, BackstageCredentials, UrlReaderService } from '@backstage/backend-plugin-api';
import { ANNOTATION_LOCATION, parseLocationRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ALERT_KINDS, AlertKind, Runbook, RunbookList, RunbookSummary } from '@modelrails/plugin-mlops-common';
import { pathToFileURL } from 'node:url';
import { catalogCredentials, readModelEntity } from '../service/ModelPolicyService';
import { BUILTIN_RUNBOOKS } from './builtinRunbooks';
import { MAX_LOCAL_FILE_BYTES } from './LocalFileUrlReader';

type ModelRef = { namespace: string; name: string };

/** A Model's runbooks: its own Markdown files beside its catalog-info.yaml, and the built-in ones. */
export interface RunbookService {
  list(model: ModelRef, credentials: BackstageCredentials): Promise<RunbookList>;
  get(model: ModelRef, id: string, credentials: BackstageCredentials): Promise<Runbook>;
}

/** `locationRef`: the entity's catalog location, which the runbook's path is relative to. */
type OwnRunbook = RunbookSummary & { locationRef: string | undefined; path: string };

/**
 * Resolves a runbook path against the entity's location and refuses anything that leaves the
 * location's folder: the entity schema already forbids `..`, but a catalog can hold entities that
 * were never validated by it, and URL resolution turns `%2e%2e` into `..` too.
 */
export function runbookUrl(locationUrl: string, runbookPath: string): string {
  const base = new URL(locationUrl);
  const folder = new URL('.', base);
  let resolved: URL;
  try {
    resolved = new URL(runbookPath, base);
  } catch {
    throw new InputError(`runbook path "${runbookPath}" is not a valid relative path`);
  }
  if (resolved.protocol !== folder.protocol || resolved.host !== folder.host || resolved.username !== folder.username || !resolved.pathname.startsWith(folder.pathname) || resolved.search || resolved.hash) {
    throw new NotAllowedError(`runbook path "${runbookPath}" leaves the folder of the entity's location (${folder.href})`);
  }
  return resolved.href;
}

/** The URL a catalog location ref (`file:/abs/path` or `url:https://…`) stands for. */
export function locationUrlOf(locationRef: string): string {
  const { type, target } = parseLocationRef(locationRef);
  if (type === 'file') return pathToFileURL(target).href;
  if (type === 'url') return target;
  throw new InputError(`the entity's location type "${type}" cannot hold runbooks`);
}

const slug = (text: string) =>
  text
    .replace(/\.md$/i, '')
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export class DefaultRunbookService implements RunbookService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly reader: UrlReaderService,
  ) {}

  private async own(model: ModelRef, credentials: BackstageCredentials): Promise<{ modelRef: string; items: OwnRunbook[] }> {
    const modelRef = stringifyEntityRef({ kind: 'model', ...model });
    const entity = await readModelEntity(this.catalog, modelRef, await catalogCredentials(this.auth, credentials));
    const location = (entity.metadata.annotations as Record<string, string> | undefined)?.[ANNOTATION_LOCATION];
    const ids = new Set<string>();
    const items: OwnRunbook[] = [];
    for (const runbook of entity.spec.runbooks) {
      let id = `model-${slug(runbook.path)}`;
      for (let n = 2; ids.has(id); n++) id = `model-${slug(runbook.path)}-${n}`;
      ids.add(id);
      items.push({
        id,
        title: runbook.title,
        source: 'model',
        alerts: runbook.alerts,
        location: runbook.path,
        path: runbook.path,
        locationRef: location,
      });
    }
    return { modelRef, items };
  }

  async list(model: ModelRef, credentials: BackstageCredentials): Promise<RunbookList> {
    const { modelRef, items } = await this.own(model, credentials);
    const builtins: RunbookSummary[] = ALERT_KINDS.map(kind => ({ id: kind, title: BUILTIN_RUNBOOKS[kind].title, source: 'builtin', alerts: [kind] }));
    const byAlert = Object.fromEntries(ALERT_KINDS.map(kind => [kind, items.find(r => r.alerts.includes(kind))?.id ?? kind])) as Record<AlertKind, string>;
    return { modelRef, items: [...items.map(({ locationRef: _l, path: _p, ...summary }) => summary), ...builtins], byAlert };
  }

  async get(model: ModelRef, id: string, credentials: BackstageCredentials): Promise<Runbook> {
    const builtin = (ALERT_KINDS as readonly string[]).includes(id) ? (id as AlertKind) : undefined;
    if (builtin) {
      await this.own(model, credentials); // the model must exist and be readable
      return { id, title: BUILTIN_RUNBOOKS[builtin].title, source: 'builtin', alerts: [builtin], markdown: BUILTIN_RUNBOOKS[builtin].markdown };
    }
    const { modelRef, items } = await this.own(model, credentials);
    const runbook = items.find(r => r.id === id);
    if (!runbook) throw new NotFoundError(`${modelRef} has no runbook "${id}"`);
    if (!runbook.locationRef) throw new NotFoundError(`${modelRef} has no catalog location to read its runbooks from`);
    const response = await this.reader.readUrl(runbookUrl(locationUrlOf(runbook.locationRef), runbook.path));
    const content = await response.buffer();
    if (content.length > MAX_LOCAL_FILE_BYTES) throw new NotAllowedError(`${runbook.location}: larger than ${MAX_LOCAL_FILE_BYTES} bytes`);
    const { locationRef: _l, path: _p, ...summary } = runbook;
    return { ...summary, markdown: content.toString('utf8') };
  }
}
