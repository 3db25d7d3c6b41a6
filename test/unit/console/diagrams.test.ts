import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aslGraph } from '../../../local/console/asl-graph';
import { diagramsBlock, readmeBlock } from '../../../local/console/diagrams';
import { mermaidOf } from '../../../local/console/mermaid';

describe('workflow diagrams', () => {
  it('the README shows every workflow as generated from its ASL (run `npm run diagrams` after changing one)', () => {
    const block = readmeBlock(readFileSync('README.md', 'utf8'));
    expect(block, 'README.md lost its diagram markers').toBeDefined();
    expect(block).toBe(diagramsBlock());
  });

  it('draws Choice rules, Catch edges, Map iterations and Parallel branches of any ASL', () => {
    const definition = {
      StartAt: 'Pick',
      States: {
        Pick: {
          Type: 'Choice',
          Choices: [{ Variable: '$.kind', StringEquals: 'bulk', Next: 'EachUser' }],
          Default: 'Both',
        },
        EachUser: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Migrate', States: { Migrate: { Type: 'Task', Resource: 'x', End: true } } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Broken' }],
          Next: 'Done',
        },
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
          ],
          Next: 'Done',
        },
        Broken: { Type: 'Fail', Error: 'Broken' },
        Done: { Type: 'Succeed' },
      },
    };
    const graph = aslGraph(definition);
    expect(graph.groups.map((g) => g.label)).toEqual(['EachUser: each item', 'Both: branch 1', 'Both: branch 2']);
    expect(graph.edges).toContainEqual({ from: 'EachUser', to: 'Broken', kind: 'catch', label: 'States.ALL' });
    expect(graph.edges).toContainEqual({ from: 'Pick', to: 'EachUser', kind: 'choice', label: 'kind bulk' });
    const diagram = mermaidOf(definition);
    expect(diagram).toContain('s_Pick{"Pick"}');
    expect(diagram).toContain('s_EachUser -.->|"States.ALL"| s_Broken');
    expect(diagram).toContain('subgraph s_g_EachUser["EachUser: each item"]');
    expect(diagram).toContain('s_Both ==> s_Both_2_Right');
    expect(diagram).toContain('s_Done --> finish((end))');
  });
});
