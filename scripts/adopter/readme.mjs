// What each plugin's README tells an adopter to do, read from the README itself: the adopter test
// follows these words and nothing else, so a README that stops working fails the test.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The fenced code blocks of a Markdown file, each with the `## ` section it sits in. */
export function codeBlocks(markdown) {
  const blocks = [];
  let section = '';
  let open;
  for (const line of markdown.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push(open);
        open = undefined;
      } else open.lines.push(line);
    } else if (line.startsWith('```')) open = { lang: line.slice(3).trim(), section, lines: [] };
    else if (line.startsWith('## ')) section = line.slice(3).trim();
  }
  return blocks.map(b => ({ lang: b.lang, section: b.section, code: b.lines.join('\n') }));
}

/**
 * The install instructions of one README: the shell commands of its install section (before the
 * first `## ` heading or under one starting "Add it to"), the `backend.add(...)` lines it gives for
 * `packages/backend/src/index.ts`, the kinds its `catalog.rules` example allows, any entity it
 * shows of kind Model and the machine tokens its `backend.auth.externalAccess` example configures.
 */
export function installInstructions(readmePath) {
  const blocks = codeBlocks(readFileSync(readmePath, 'utf8'));
  const install = blocks.filter(b => b.section === '' || b.section.startsWith('Add it to'));
  const commands = install
    .filter(b => b.lang === 'sh')
    .flatMap(b => b.code.split('\n'))
    .map(l => l.replace(/\s+#.*$/, '').trim())
    .filter(l => l.startsWith('yarn '));
  const backendLines = install
    .filter(b => b.lang === 'ts' && b.code.startsWith('// packages/backend/src/index.ts'))
    .flatMap(b => b.code.split('\n'))
    .map(l => l.replace(/\s*\/\/.*$/, '').trim())
    .filter(l => l.startsWith('backend.add('));
  const yamlDocs = blocks.filter(b => b.lang === 'yaml').map(b => parse(b.code));
  const allowedKinds = yamlDocs.flatMap(d => d?.catalog?.rules ?? []).flatMap(r => r.allow ?? []);
  const models = yamlDocs.filter(d => d?.kind === 'Model');
  const externalAccess = yamlDocs.flatMap(d => d?.backend?.auth?.externalAccess ?? []);
  return { commands, backendLines, allowedKinds, models, externalAccess };
}
