import {
  Content,
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { DatasetConsumers, formatDateTime, formatNumber, LineageGraph, LineageNodeKind } from '@modelrails/plugin-mlops-common';
import { Digest } from '../Digest';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import ZoomInIcon from '@material-ui/icons/ZoomIn';
import ZoomOutIcon from '@material-ui/icons/ZoomOut';
import Typography from '@material-ui/core/Typography';
import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { useLineageLink } from '../../hooks/useLineageLink';
import { layoutLineage, NODE_HEIGHT } from '../../lib/layout';
import { GraphNode, LineageRoot, parseLineageRoot, toGraphNodes } from '../../lib/lineage';

const KIND_COLOUR: Record<LineageNodeKind, string> = {
  'dataset-version': '#2e7d32',
  'training-run': '#6a1b9a',
  'model-version': '#1565c0',
  deployment: '#ef6c00',
};
const KIND_TITLE: Record<LineageNodeKind, string> = {
  'dataset-version': 'Dataset version',
  'training-run': 'Training run',
  'model-version': 'Model version',
  deployment: 'Deployment',
};

const MAX_LABEL = 42;
const shown = (label: string) => (label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label);
const heightOf = (node: GraphNode) => (node.notReproducible ? NODE_HEIGHT + 12 : NODE_HEIGHT);

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2];

function Legend() {
  return (
    <Box display="flex" alignItems="center" style={{ gap: 16 }} aria-label="Legend" component="section">
      {(Object.keys(KIND_TITLE) as LineageNodeKind[]).map(kind => (
        <Box key={kind} display="flex" alignItems="center" style={{ gap: 6 }}>
          <span style={{ width: 12, height: 12, borderRadius: 3, background: KIND_COLOUR[kind], display: 'inline-block' }} />
          <Typography variant="body2">{KIND_TITLE[kind]}</Typography>
        </Box>
      ))}
    </Box>
  );
}

/**
 * The lineage drawn left to right: data, runs, versions, deployments; nodes are buttons. Drawn at
 * its natural size (labels stay readable) inside a scroll area: zoom with the buttons, pan by
 * dragging or scrolling.
 */
function LineageDrawing({
  nodes,
  edges,
  selected,
  onSelect,
}: {
  nodes: GraphNode[];
  edges: LineageGraph['edges'];
  selected?: string;
  onSelect: (id: string) => void;
}) {
  const layout = useMemo(() => layoutLineage(nodes, edges, heightOf), [nodes, edges]);
  const [zoomIndex, setZoomIndex] = useState(ZOOM_STEPS.indexOf(1));
  const zoom = ZOOM_STEPS[zoomIndex];
  const scroller = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number } | undefined>();
  return (
    <Box>
      <Box display="flex" alignItems="center" px={2} py={1} style={{ gap: 8 }}>
        <Legend />
        <Box flex={1} />
        <Tooltip title="Zoom out">
          <span>
            <IconButton size="small" aria-label="Zoom out" disabled={zoomIndex === 0} onClick={() => setZoomIndex(i => i - 1)}>
              <ZoomOutIcon />
            </IconButton>
          </span>
        </Tooltip>
        <Typography variant="body2" style={{ minWidth: 44, textAlign: 'center', fontVariantNumeric: 'tabular-nums' }} aria-label="Zoom level">
          {Math.round(zoom * 100)} %
        </Typography>
        <Tooltip title="Zoom in">
          <span>
            <IconButton size="small" aria-label="Zoom in" disabled={zoomIndex === ZOOM_STEPS.length - 1} onClick={() => setZoomIndex(i => i + 1)}>
              <ZoomInIcon />
            </IconButton>
          </span>
        </Tooltip>
      </Box>
      <div
        ref={scroller}
        style={{ overflow: 'auto', maxHeight: '70vh', cursor: drag.current ? 'grabbing' : 'grab' }}
        onPointerDown={e => {
          const el = scroller.current;
          if (!el || (e.target as Element).closest('[data-testid="lineage-node"]')) return;
          drag.current = { x: e.clientX, y: e.clientY, left: el.scrollLeft, top: el.scrollTop };
        }}
        onPointerMove={e => {
          const el = scroller.current;
          if (!el || !drag.current) return;
          el.scrollLeft = drag.current.left - (e.clientX - drag.current.x);
          el.scrollTop = drag.current.top - (e.clientY - drag.current.y);
        }}
        onPointerUp={() => {
          drag.current = undefined;
        }}
        onPointerLeave={() => {
          drag.current = undefined;
        }}
      >
        <svg
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          width={layout.width * zoom}
          height={layout.height * zoom}
          role="img"
          aria-label="Lineage graph"
        >
          <defs>
            <marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
              <path d="M0,0 L10,5 L0,10 z" fill="#888" />
            </marker>
          </defs>
          {layout.edges.map(e => (
            <path key={`${e.from}>${e.to}`} d={e.path} fill="none" stroke="#999" strokeWidth={1} markerEnd="url(#lineage-arrow)" />
          ))}
          {layout.nodes.map(node => (
            <g
              key={node.id}
              transform={`translate(${node.x},${node.y})`}
              data-testid="lineage-node"
              data-kind={node.kind}
              data-id={node.id}
              role="button"
              aria-label={node.label}
              tabIndex={0}
              style={{ cursor: 'pointer' }}
              onClick={() => onSelect(node.id)}
              onKeyDown={e => (e.key === 'Enter' || e.key === ' ') && onSelect(node.id)}
            >
              <title>{node.label}</title>
              <rect
                width={node.width}
                height={node.height}
                rx={6}
                fill={KIND_COLOUR[node.kind]}
                stroke={node.id === selected || node.isRoot ? '#000' : 'none'}
                strokeWidth={node.id === selected ? 3 : 2}
              />
              <text x={node.width / 2} y={20} textAnchor="middle" fill="#fff" fontSize={13} fontWeight={node.isRoot ? 'bold' : 'normal'}>
                {shown(node.label)}
              </text>
              {node.notReproducible && (
                <text x={node.width / 2} y={38} textAnchor="middle" fill="#ffe0b2" fontSize={11}>
                  ⚠ not reproducible
                </text>
              )}
            </g>
          ))}
        </svg>
      </div>
    </Box>
  );
}

/** An attribute's key in words: `artifactDigest` → "artifact digest". */
const attributeLabel = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLocaleLowerCase('en-US');

/** A node attribute as people read it: entities by title, digests shortened, times in the one format. */
function attributeValue(name: string, value: unknown) {
  if ((name === 'model' || name === 'dataset' || name === 'creator') && typeof value === 'string') return <EntityRefLink entityRef={value} />;
  if (typeof value === 'string' && /digest/i.test(name)) return <Digest value={value} />;
  if (typeof value === 'string' && /At$/.test(name) && !Number.isNaN(Date.parse(value))) return formatDateTime(value);
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

function Details({ node, consumers }: { node?: GraphNode; consumers?: DatasetConsumers }) {
  const lineageLink = useLineageLink();
  if (!node) {
    return <Typography variant="body2">Select a node to see its details.</Typography>;
  }
  const rerootable = node.kind === 'dataset-version' || node.kind === 'model-version';
  const link = rerootable ? lineageLink(node.id) : undefined;
  return (
    <Box aria-label="Selected node" component="section">
      <Typography variant="overline">{KIND_TITLE[node.kind]}</Typography>
      <Typography variant="h6">{node.label}</Typography>
      {node.notReproducible && <Chip size="small" label="not reproducible" style={{ backgroundColor: '#ffe0b2' }} />}
      <Box component="dl" mt={1}>
        {Object.entries(node.attributes).map(([name, value]) => (
          <Box key={name} mb={1}>
            <Typography component="dt" variant="caption" color="textSecondary">
              {attributeLabel(name)}
            </Typography>
            <Typography component="dd" variant="body2" style={{ margin: 0, overflowWrap: 'anywhere' }}>
              {attributeValue(name, value)}
            </Typography>
          </Box>
        ))}
      </Box>
      {link && !node.isRoot && <Link to={link}>Center the graph here</Link>}
      {node.isRoot && consumers && (
        <Box mt={2} aria-label="Model versions trained on this dataset version" component="section">
          <Typography variant="subtitle2">Model versions trained on it</Typography>
          {consumers.models.map(m => (
            <Box key={`${m.modelRef}@${m.version}`} display="flex" alignItems="center" style={{ gap: 6 }}>
              <EntityRefLink entityRef={m.modelRef} />
              <span>v{m.version}</span>
              {m.serving && <Chip size="small" color="primary" label="serving" />}
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}

/**
 * Picks the graph's root: a Model from the catalog, then one of its versions. Shown above every
 * graph, and alone when the page is opened from the sidebar without a root.
 */
function RootPicker({ root, onPick }: { root?: LineageRoot; onPick: (rootId: string) => void }) {
  const catalogApi = useApi(catalogApiRef);
  const api = useApi(mlopsApiRef);
  const initialModel = root?.kind === 'model' ? stringifyEntityRef(root.ref) : '';
  const [model, setModel] = useState(initialModel);
  const models = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Model' },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    return items
      .map(e => ({ ref: stringifyEntityRef(e), title: e.metadata.title ?? e.metadata.name }))
      .sort((a, b) => a.title.localeCompare(b.title));
  }, [catalogApi]);
  const versions = useAsync(async () => {
    if (!model) return [];
    const list = await api.listVersions(parseEntityRef(model));
    return list.items.map(v => v.version);
  }, [api, model]);
  const version = root?.kind === 'model' && stringifyEntityRef(root.ref) === model ? root.version : '';
  return (
    <Box display="flex" alignItems="center" style={{ gap: 12 }} aria-label="Lineage root" component="section">
      <TextField
        select
        id="lineage-root-model"
        label="Model"
        size="small"
        variant="outlined"
        style={{ minWidth: 240 }}
        value={models.status === 'ready' && models.value.some(m => m.ref === model) ? model : ''}
        onChange={e => setModel(String(e.target.value))}
        disabled={models.status !== 'ready'}
        helperText={models.status === 'error' ? 'The catalog could not be read' : undefined}
      >
        {models.status === 'ready' &&
          models.value.map(m => (
            <MenuItem key={m.ref} value={m.ref}>
              {m.title}
            </MenuItem>
          ))}
      </TextField>
      <TextField
        select
        id="lineage-root-version"
        label="Version"
        size="small"
        variant="outlined"
        style={{ minWidth: 120 }}
        value={versions.status === 'ready' && versions.value.includes(version) ? version : ''}
        disabled={!model || versions.status !== 'ready' || versions.value.length === 0}
        helperText={versions.status === 'ready' && model && versions.value.length === 0 ? 'No versions registered' : undefined}
        onChange={e => onPick(`model:${model}@${e.target.value}`)}
      >
        {versions.status === 'ready' &&
          versions.value.map(v => (
            <MenuItem key={v} value={v}>
              v{v}
            </MenuItem>
          ))}
      </TextField>
    </Box>
  );
}

/** Dataset version → training run → model version → deployment, around one root. */
export function LineagePage() {
  const api = useApi(mlopsApiRef);
  const [params, setParams] = useSearchParams();
  const rootId = params.get('root') ?? '';
  const root = parseLineageRoot(rootId);
  // From a model version, two steps answer "what trained it, where does it serve"; from a
  // dataset version, three reach the deployments of what it trained.
  const depth = Number(params.get('depth') ?? (root?.kind === 'model' ? 2 : 3));
  const [selected, setSelected] = useState<string | undefined>();

  const state = useAsync(async (): Promise<{ graph: LineageGraph; consumers?: DatasetConsumers } | undefined> => {
    if (!rootId) return undefined;
    if (!root) throw new Error(`"${rootId}" is not a model version or dataset version`);
    if (root.kind === 'model') {
      return { graph: await api.getModelLineage(root.ref, root.version, depth) };
    }
    const [graph, consumers] = await Promise.all([
      api.getDatasetLineage(root.ref, root.version, depth),
      api.getDatasetConsumers(root.ref, root.version),
    ]);
    return { graph, consumers };
  }, [api, rootId, depth]);

  // Laid out once per answer, not on every click.
  const graphNodes = useMemo(() => (state.status === 'ready' && state.value ? toGraphNodes(state.value.graph) : []), [state]);

  let body;
  if (state.status === 'loading') {
    body = <Progress />;
  } else if (state.status === 'error') {
    body = <ResponseErrorPanel error={state.error} />;
  } else if (!state.value) {
    body = (
      <EmptyState
        missing="data"
        title="Pick a model version"
        description="Choose a Model and one of its versions above to see the dataset versions and training run behind it and the deployments that serve it. A dataset version on a Model page's “Data behind production” card opens the graph from the data side."
      />
    );
  } else {
    const { graph, consumers } = state.value;
    const nodes = graphNodes;
    const current = nodes.find(n => n.id === (selected ?? graph.root));
    body = (
      <Grid container spacing={2}>
        <Grid item xs={12} md={9}>
          {/* A depth the person chose that still hides nodes is worth a warning; the default depth
              answers "what trained it, where does it serve" and only notes that more exists. */}
          {graph.truncated && params.has('depth') && (
            <WarningPanel title="The graph was cut off" message={`Nodes more than ${graph.depth} steps from the root are not shown; raise the depth to see them.`} />
          )}
          {graph.truncated && !params.has('depth') && (
            <Typography variant="body2" color="textSecondary" style={{ marginBottom: 8 }}>
              Showing {graph.depth} steps from the root; raise the depth to follow the lineage further.
            </Typography>
          )}
          <Paper>
            <LineageDrawing nodes={nodes} edges={graph.edges} selected={current?.id} onSelect={setSelected} />
          </Paper>
        </Grid>
        <Grid item xs={12} md={3}>
          <Paper style={{ padding: 16 }}>
            <Details node={current} consumers={consumers} />
          </Paper>
        </Grid>
      </Grid>
    );
  }

  return (
    <Content>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <Typography variant="h5" component="h1">
          Lineage
        </Typography>
        <Box flex={1}>
          <RootPicker
            key={rootId}
            root={root}
            onPick={id => {
              setSelected(undefined);
              params.set('root', id);
              setParams(params);
            }}
          />
        </Box>
        <TextField
          select
          id="lineage-depth"
          label="Depth"
          size="small"
          variant="outlined"
          value={depth}
          onChange={e => {
            params.set('depth', String(e.target.value));
            setParams(params);
          }}
        >
          {[1, 2, 3, 4, 6, 8, 10].map(d => (
            <MenuItem key={d} value={d}>
              {d}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {body}
    </Content>
  );
}
