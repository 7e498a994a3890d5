// Checks the shape ARCHITECTURE.md asks for, so it cannot erode unnoticed:
//   1. no import cycle between files, and none between the folders directly under a plugin's src/
//      (a folder is a concern: no concern imports one that imports it back), in every plugins/*/src;
//   2. in the backend plugin, only `*/routes.ts` files and the shared router register routes;
//   3. the backend's plugin.ts stays a wiring file: under 100 lines, no scheduled task, no demo code.
// Test files and generated code are left out: tests may import anything.
// Usage: node scripts/check-structure.mjs   (exit 1 and a list of problems when one is found)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { codeBlocks } from './adopter/readme.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const problems = [];

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === 'node_modules' || name === 'generated' || name === '__testUtils__' || name === '__fixtures__') continue;
      out.push(...sourceFiles(path));
    } else if (/\.(ts|tsx)$/.test(name) && !/\.(test|spec)\.tsx?$/.test(name) && !name.endsWith('.d.ts') && name !== 'setupTests.ts') {
      out.push(path);
    }
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Strongly connected components with more than one member (Tarjan), each a cycle. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indices = new Map();
  const low = new Map();
  const found = [];
  const visit = node => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

const pluginsDir = join(ROOT, 'plugins');
for (const plugin of readdirSync(pluginsDir).sort()) {
  const src = join(pluginsDir, plugin, 'src');
  if (!existsSync(src)) continue;
  const files = sourceFiles(src);
  const fileGraph = new Map(files.map(f => [f, new Set()]));
  const folderGraph = new Map();
  const folderEdges = new Map();
  const folderOf = file => {
    const rel = relative(src, file).split('/');
    return rel.length > 1 ? rel[0] : '(src)';
  };
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = resolveImport(file, match[1] ?? match[2]);
      if (!target || !fileGraph.has(target)) continue;
      fileGraph.get(file).add(target);
      const [a, b] = [folderOf(file), folderOf(target)];
      if (a !== b && a !== '(src)' && b !== '(src)') {
        if (!folderGraph.has(a)) folderGraph.set(a, new Set());
        folderGraph.get(a).add(b);
        folderEdges.set(`${a}>${b}`, `${relative(src, file)} → ${relative(src, target)}`);
      }
    }
  }
  for (const cycle of cycles(fileGraph)) {
    problems.push(`plugins/${plugin}/src: files import each other in a circle: ${cycle.map(f => relative(src, f)).join(', ')}`);
  }
  for (const cycle of cycles(folderGraph)) {
    const examples = [];
    for (const a of cycle) for (const b of cycle) if (folderEdges.has(`${a}>${b}`)) examples.push(folderEdges.get(`${a}>${b}`));
    problems.push(`plugins/${plugin}/src: folders import each other in a circle: ${cycle.join(', ')} (${examples.join('; ')})`);
  }
  if (plugin !== 'mlops-backend') continue;

  for (const file of files) {
    const rel = relative(src, file);
    if (rel.endsWith('/routes.ts') || rel === 'router/router.ts') continue;
    const text = readFileSync(file, 'utf8');
    const registers = text.match(/\brouter\.(get|post|put|patch|delete|all|use)\(\s*[`'"]/);
    if (registers) problems.push(`plugins/${plugin}/src/${rel}: registers a route (${registers[0]}…); routes belong in the concern's routes.ts`);
  }
  const pluginTs = join(src, 'plugin.ts');
  const wiring = readFileSync(pluginTs, 'utf8');
  const lines = wiring.split('\n').length;
  if (lines >= 100) problems.push(`plugins/${plugin}/src/plugin.ts: ${lines} lines; it only wires (keep it under 100)`);
  if (/scheduleTask\s*\(/.test(wiring)) problems.push(`plugins/${plugin}/src/plugin.ts: schedules a task; tasks live in their concern`);
  if (/demo/i.test(wiring.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) problems.push(`plugins/${plugin}/src/plugin.ts: mentions the demo; the demo is its own backend module`);
}

// The READMEs' YAML is what adopters paste into app-config.yaml and catalog files: it must parse
// (a `${VAR}` or `{{pluginId}}` inside a flow map `{ ... }` does not).
const markdownFiles = ['README.md', ...readdirSync(pluginsDir).map(p => join('plugins', p, 'README.md')), ...readdirSync(join(ROOT, 'packages')).map(p => join('packages', p, 'README.md'))];
for (const file of markdownFiles.filter(f => existsSync(join(ROOT, f)))) {
  for (const block of codeBlocks(readFileSync(join(ROOT, file), 'utf8')).filter(b => b.lang === 'yaml' || b.lang === 'yml')) {
    const broken = parseAllDocuments(block.code).find(d => d.errors.length);
    if (broken) problems.push(`${file} (${block.section || 'top'}): a YAML example does not parse: ${broken.errors[0].message.split('\n')[0]}`);
  }
}

if (problems.length) {
  console.error(`${problems.length} structure problem(s):`);
  for (const p of problems) console.error(`- ${p}`);
  process.exit(1);
}
console.log('structure: no import cycle between files or concerns; routes only in routes.ts; plugin.ts only wires; the READMEs\' YAML parses');
