import { Pause, Play } from 'lucide';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Icon from '../../src/renderer/components/icon.svelte';

describe('Icon', () => {
  const mounted: ReturnType<typeof mount>[] = [];
  afterEach(() => {
    for (const component of mounted.splice(0)) void unmount(component);
    document.body.replaceChildren();
  });

  function render(props: { icon: typeof Play; size?: number; label?: string }) {
    const target = document.createElement('div');
    document.body.append(target);
    const state = $state(props);
    mounted.push(mount(Icon, { target, props: state }));
    flushSync();
    return { svg: target.querySelector('svg')!, state };
  }

  it('draws the icon set’s shapes at the size asked, hidden from assistive technology', () => {
    const { svg } = render({ icon: Play, size: 14 });
    expect(svg.getAttribute('width')).toBe('14');
    expect(svg.getAttribute('aria-hidden')).toBe('true');
    expect(svg.getAttribute('role')).toBeNull();
    const paths = [...svg.querySelectorAll('path')];
    expect(paths.map((p) => p.getAttribute('d'))).toEqual(Play.map(([, attrs]) => attrs.d));
    expect(paths[0]!.namespaceURI).toBe('http://www.w3.org/2000/svg');
  });

  it('gives each icon its own copy of the shapes', () => {
    const a = render({ icon: Play }).svg;
    const b = render({ icon: Play }).svg;
    expect(a.firstElementChild).not.toBe(b.firstElementChild);
    a.firstElementChild!.setAttribute('d', 'M0 0');
    expect(b.firstElementChild!.getAttribute('d')).toBe(Play[0]![1].d);
  });

  it('is an image with a name when labelled, and redraws when the icon changes', () => {
    const { svg, state } = render({ icon: Play, label: 'Playing now' });
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe('Playing now');
    expect(svg.getAttribute('aria-hidden')).toBeNull();
    state.icon = Pause;
    flushSync();
    expect(svg.querySelectorAll('*')).toHaveLength(Pause.length);
    expect(svg.firstElementChild!.outerHTML).toContain(String(Object.values(Pause[0]![1])[0]));
  });
});
