import {
  Content,
  Link,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { DatasetConsumers, LineageGraph, LineageNodeKind } from '@modelrails/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { mlopsApiRef } from '../../api/MlopsApi';
import { useAsync } from '../../hooks/useAsync';
import { useLineageLink } from '../../hooks/useLineageLink';
import { layoutLineage, NODE_HEIGHT } from '../../lib/layout';
import { GraphNode, parseLineageRoot, toGraphNodes } from '../../lib/lineage';

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

/** The lineage drawn left to right: data, runs, versions, deployments; nodes are buttons. */
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
  return (
    <Box style={{ overflow: 'auto', maxHeight: '75vh' }}>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        style={{ maxWidth: '100%', height: 'auto' }}
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
            <text x={node.width / 2} y={20} textAnchor="middle" fill="#fff" fontSize={12} fontWeight={node.isRoot ? 'bold' : 'normal'}>
              {shown(node.label)}
            </text>
            {node.notReproducible && (
              <text x={node.width / 2} y={38} textAnchor="middle" fill="#ffe0b2" fontSize={10}>
                ⚠ not reproducible
              </text>
            )}
          </g>
        ))}
      </svg>
    </Box>
  );
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
              {name}
            </Typography>
            <Typography component="dd" variant="body2" style={{ margin: 0, wordBreak: 'break-all' }}>
              {(name === 'model' || name === 'dataset' || name === 'creator') && typeof value === 'string' ? (
                <EntityRefLink entityRef={value} />
              ) : (
                String(value)
              )}
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

  const state = useAsync(async (): Promise<{ graph: LineageGraph; consumers?: DatasetConsumers }> => {
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
  const graphNodes = useMemo(() => (state.status === 'ready' ? toGraphNodes(state.value.graph) : []), [state]);

  let body;
  if (state.status === 'loading') {
    body = <Progress />;
  } else if (state.status === 'error') {
    body = <ResponseErrorPanel error={state.error} />;
  } else {
    const { graph, consumers } = state.value;
    const nodes = graphNodes;
    const current = nodes.find(n => n.id === (selected ?? graph.root));
    body = (
      <Grid container spacing={2}>
        <Grid item xs={12} md={9}>
          {graph.truncated && (
            <WarningPanel title="The graph was cut off" message={`Nodes more than ${graph.depth} steps from the root are not shown; raise the depth to see them.`} />
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
        <Typography variant="body2" color="textSecondary" style={{ flex: 1 }}>
          {rootId}
        </Typography>
        <TextField
          select
          label="Depth"
          size="small"
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
