/**
 * A state machine's states and transitions, read from its ASL: the one model behind the console's drawing
 * and the README's Mermaid diagrams. Any ASL shape is read: Choice rules and Default, Catch edges, Map
 * (ItemProcessor or the older Iterator) and Parallel branches as nested groups.
 */

/** One state; `group` is the Map or Parallel state (and branch) it runs inside, if any. */
export interface GraphNode {
  id: string;
  name: string;
  type: string;
  group?: string;
  end: boolean;
}

/** A transition; `kind` says why it is taken. */
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'default' | 'catch' | 'start';
  label?: string;
}

/** A Map iteration or Parallel branch: its own states, started from its container. */
export interface GraphGroup {
  id: string;
  label: string;
  parent?: string;
}

export interface AslGraph {
  startAt: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  groups: GraphGroup[];
}

interface AslStates {
  StartAt: string;
  States: Record<string, AslState>;
}

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next: string; Variable?: string; Condition?: string; [k: string]: unknown }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  ItemProcessor?: AslStates;
  Iterator?: AslStates;
  Branches?: AslStates[];
}

/** A short label for a Choice rule: the condition's comparison and value, without JSONPath noise. */
function choiceLabel(rule: Record<string, unknown>): string {
  const describe = (r: Record<string, unknown>): string => {
    if (Array.isArray(r.And)) return (r.And as Record<string, unknown>[]).map(describe).join(' and ');
    if (Array.isArray(r.Or)) return (r.Or as Record<string, unknown>[]).map(describe).join(' or ');
    if (r.Not) return `not ${describe(r.Not as Record<string, unknown>)}`;
    const op = Object.keys(r).find((k) => k !== 'Variable' && k !== 'Next' && k !== 'Comment');
    if (!op) return '';
    const value = r[op];
    const variable = String(r.Variable ?? '')
      .split('.')
      .pop();
    if (op === 'IsPresent') return `${variable} ${value ? 'present' : 'absent'}`;
    if (op.startsWith('Is')) return `${variable} ${op.slice(2).toLowerCase()}`;
    return `${variable} ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  };
  return describe(rule).slice(0, 60);
}

/** Reads an ASL definition (object or JSON text) into nodes, edges and groups. */
export function aslGraph(definition: unknown): AslGraph {
  const root = (typeof definition === 'string' ? JSON.parse(definition) : definition) as AslStates;
  const graph: AslGraph = { startAt: root.StartAt, nodes: [], edges: [], groups: [] };
  const walk = (machine: AslStates, prefix: string, group?: string) => {
    const id = (name: string) => `${prefix}${name}`;
    for (const [name, state] of Object.entries(machine.States)) {
      graph.nodes.push({
        id: id(name),
        name,
        type: state.Type,
        group,
        end: Boolean(state.End) || ['Succeed', 'Fail'].includes(state.Type),
      });
      if (state.Next) graph.edges.push({ from: id(name), to: id(state.Next), kind: 'next' });
      for (const rule of state.Choices ?? []) {
        graph.edges.push({ from: id(name), to: id(rule.Next), kind: 'choice', label: choiceLabel(rule) });
      }
      if (state.Default) graph.edges.push({ from: id(name), to: id(state.Default), kind: 'default', label: 'otherwise' });
      for (const c of state.Catch ?? []) {
        graph.edges.push({ from: id(name), to: id(c.Next), kind: 'catch', label: c.ErrorEquals.join(', ') });
      }
      const nested = state.ItemProcessor ?? state.Iterator;
      const branches = nested ? [nested] : (state.Branches ?? []);
      branches.forEach((branch, i) => {
        const groupId = branches.length > 1 ? `${id(name)}/${i + 1}` : id(name);
        graph.groups.push({
          id: groupId,
          label: state.Type === 'Map' ? `${name}: each item` : `${name}: branch ${i + 1}`,
          parent: group,
        });
        graph.edges.push({ from: id(name), to: `${groupId}/${branch.StartAt}`, kind: 'start' });
        walk(branch, `${groupId}/`, groupId);
      });
    }
  };
  walk(root, '');
  return graph;
}
