import { type AslGraph, aslGraph } from './asl-graph';

/** Mermaid ids allow letters, digits and underscores only; the state's name is kept as its label. */
const mermaidId = (id: string) => `s_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
const quote = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

function shape(type: string, id: string, name: string): string {
  const label = quote(name);
  if (type === 'Choice') return `${id}{${label}}`;
  if (type === 'Succeed' || type === 'Fail') return `${id}([${label}])`;
  if (type === 'Map' || type === 'Parallel') return `${id}[[${label}]]`;
  if (type === 'Pass' || type === 'Wait') return `${id}(${label})`;
  return `${id}[${label}]`;
}

/** A Mermaid flowchart of a state machine: solid transitions, labelled Choice rules, dotted Catch edges. */
export function mermaidOf(definition: unknown): string {
  const graph: AslGraph = aslGraph(definition);
  const lines = ['flowchart TD', `  start((start)) --> ${mermaidId(graph.startAt)}`];
  const emit = (group: string | undefined, indent: string) => {
    for (const node of graph.nodes.filter((n) => n.group === group)) {
      lines.push(`${indent}${shape(node.type, mermaidId(node.id), node.name)}`);
    }
    for (const sub of graph.groups.filter((g) => g.parent === group)) {
      lines.push(`${indent}subgraph ${mermaidId(`g_${sub.id}`)}[${quote(sub.label)}]`);
      emit(sub.id, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  emit(undefined, '  ');
  for (const edge of graph.edges) {
    const from = mermaidId(edge.from);
    const to = mermaidId(edge.to);
    const label = edge.label ? `|${quote(edge.label)}|` : '';
    if (edge.kind === 'catch') lines.push(`  ${from} -.->${label} ${to}`);
    else if (edge.kind === 'start') lines.push(`  ${from} ==> ${to}`);
    else lines.push(`  ${from} -->${label} ${to}`);
  }
  for (const node of graph.nodes.filter((n) => n.end && n.group === undefined)) {
    lines.push(`  ${mermaidId(node.id)} --> finish((end))`);
  }
  return lines.join('\n');
}
