import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { svgOf } from '../../../local/console/svg';

const onboarding = readFileSync('workflows/onboarding.asl.json', 'utf8');
const stateClass = (svg: string, state: string) => new RegExp(`<g class="([^"]*)" data-state="${state}"`).exec(svg)?.[1];

describe('the execution graph', () => {
  it('draws every state of the ASL once', () => {
    const svg = svgOf(onboarding);
    const states = Object.keys(JSON.parse(onboarding).States as object);
    for (const state of states) expect(svg.match(new RegExp(`data-state="${state}"`, 'g'))).toHaveLength(1);
  });

  it('marks the states entered, the transitions taken and where the execution stands', () => {
    const svg = svgOf(onboarding, {
      entered: ['HasTimeouts', 'DefaultTimeouts', 'CreateProfile', 'ProfileDecision', 'WaitForVerdict'],
      current: 'WaitForVerdict',
    });
    expect(stateClass(svg, 'CreateProfile')).toContain('visited');
    expect(stateClass(svg, 'WaitForVerdict')).toContain('current');
    expect(stateClass(svg, 'CreateVirtualAccount')).not.toContain('visited');
    expect(svg).toMatch(/class="edge [a-z]+ taken"[^>]*><title>ProfileDecision → WaitForVerdict/);
  });

  it('marks where a failed execution stopped', () => {
    const svg = svgOf(onboarding, {
      entered: ['HasTimeouts', 'DefaultTimeouts', 'CreateProfile'],
      current: 'CreateProfile',
      failed: true,
    });
    expect(stateClass(svg, 'CreateProfile')).toContain('failed');
  });

  it('escapes state names, so a definition cannot inject markup into the page', () => {
    const svg = svgOf({ StartAt: '<b>x</b>', States: { '<b>x</b>': { Type: 'Succeed' } } });
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
