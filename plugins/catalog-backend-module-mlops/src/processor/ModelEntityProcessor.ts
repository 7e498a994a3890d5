import { InputError } from '@backstage/errors';
import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_HAS_PART,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  describeModelProblems,
  isModelEntity,
  modelCardDocsRef,
  modelSpecRefs,
  parseModelEntity,
} from '@modelrails/plugin-mlops-common';

const TECHDOCS_REF = 'backstage.io/techdocs-ref';

/**
 * Validates `Model` entities against the ModelRails schema and emits their relations in both
 * directions (owner, system, datasets, feature sets, serving component, the catalog's `ai-model`
 * Resource of the same model), so the catalog graph,
 * the owner and kind filters and search work for models like for any other kind.
 *
 * @public
 */
export class ModelEntityProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'ModelEntityProcessor';
  }

  /**
   * A Model without docs of its own gets its generated model card as its TechDocs
   * (`backstage.io/techdocs-ref: url:modelrails://model-card/…`, which the ModelRails backend's
   * model card URL reader serves); a Model that names its own docs keeps them.
   */
  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (!isModelEntity(entity) || entity.metadata.annotations?.[TECHDOCS_REF]) return entity;
    const { namespace, name } = getCompoundEntityRef(entity);
    return { ...entity, metadata: { ...entity.metadata, annotations: { ...entity.metadata.annotations, [TECHDOCS_REF]: modelCardDocsRef(namespace, name) } } };
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isModelEntity(entity)) {
      return false;
    }
    const result = parseModelEntity(entity);
    if (!result.success) {
      throw new InputError(
        `Invalid Model entity ${stringifyEntityRef(entity)}: ${describeModelProblems(result.problems)}`,
      );
    }
    return true;
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isModelEntity(entity)) {
      return entity;
    }
    const result = parseModelEntity(entity);
    if (!result.success) {
      // validateEntityKind has already reported the problems.
      return entity;
    }
    const self = getCompoundEntityRef(entity);
    const refs = modelSpecRefs(result.entity.spec, self.namespace);
    const both = (outgoing: string, incoming: string, target: string) => {
      const other = parseEntityRef(target);
      emit(processingResult.relation({ source: self, type: outgoing, target: other }));
      emit(processingResult.relation({ source: other, type: incoming, target: self }));
    };

    both(RELATION_OWNED_BY, RELATION_OWNER_OF, refs.owner);
    if (refs.system) {
      both(RELATION_PART_OF, RELATION_HAS_PART, refs.system);
    }
    for (const resource of [...refs.datasets, ...refs.featureSets]) {
      both(RELATION_DEPENDS_ON, RELATION_DEPENDENCY_OF, resource);
    }
    if (refs.servedBy) {
      // The serving component depends on the model it serves.
      both(RELATION_DEPENDENCY_OF, RELATION_DEPENDS_ON, refs.servedBy);
    }
    if (refs.aiModel) {
      // So does the catalog's record of the deployed model (an `ai-model` Resource): both are what
      // this Model's releases put in production.
      both(RELATION_DEPENDENCY_OF, RELATION_DEPENDS_ON, refs.aiModel);
    }
    return entity;
  }
}
