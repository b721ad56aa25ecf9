// The chain drawn from its BPMN file with the bpmn-js viewer (read only): done steps green, the
// current ones blue with who holds them, the ones ahead grey with their due dates when known.
import type NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n';

export interface StepMark {
  state: 'done' | 'current' | 'pending' | 'returned';
  /** A short line shown under the element: who holds it, or when it falls due. */
  note?: string;
}

interface Canvas {
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
  zoom(level: 'fit-viewport', center?: 'auto'): void;
  viewbox(): { inner: { width: number; height: number }; outer: { width: number; height: number } };
}
interface Overlays {
  add(id: string, type: string, overlay: { position: { bottom?: number; left?: number }; html: HTMLElement }): void;
  remove(filter: { type: string }): void;
}
interface Registry {
  get(id: string): unknown;
}

const STATES = ['done', 'current', 'pending', 'returned'] as const;

export function Diagram({ xml, marks }: { xml: string; marks: Record<string, StepMark> }) {
  const host = useRef<HTMLDivElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const [imported, setImported] = useState(0);
  const [failed, setFailed] = useState<string | null>(null);

  // One viewer per diagram: importing again only when the XML changes (a new version).
  useEffect(() => {
    let live = true;
    let v: NavigatedViewer | undefined;
    // Fitting divides the container's size by the drawing's: with either not laid out yet (a page
    // being left, hidden or still loading its fonts) the scale would be infinite, so wait for both.
    const fit = () => {
      if (!v) return;
      const canvas = v.get<Canvas>('canvas');
      const { inner, outer } = canvas.viewbox();
      if (inner.width > 0 && inner.height > 0 && outer.width > 0 && outer.height > 0) {
        canvas.zoom('fit-viewport', 'auto');
      }
    };
    import('bpmn-js/lib/NavigatedViewer')
      .then(async ({ default: Viewer }) => {
        if (!live) return;
        v = new Viewer({ container: host.current! });
        viewer.current = v;
        await v.importXML(xml);
        if (!live) return;
        fit();
        addEventListener('resize', fit);
        setImported((n) => n + 1);
      })
      .catch((err: Error) => live && setFailed(err.message));
    return () => {
      live = false;
      removeEventListener('resize', fit);
      viewer.current = null;
      v?.destroy();
    };
  }, [xml]);

  // Marks change as the chain moves or names load: repaint markers and notes, not the diagram.
  const key = JSON.stringify(marks);
  useEffect(() => {
    const v = viewer.current;
    if (!v || imported === 0) return;
    const canvas = v.get<Canvas>('canvas');
    const overlays = v.get<Overlays>('overlays');
    const registry = v.get<Registry>('elementRegistry');
    overlays.remove({ type: 'fabu' });
    for (const [id, mark] of Object.entries(marks)) {
      if (!registry.get(id)) continue;
      for (const state of STATES) canvas.removeMarker(id, `fabu-${state}`);
      canvas.addMarker(id, `fabu-${mark.state}`);
      if (mark.note) {
        const note = document.createElement('div');
        note.className = `diagram-note ${mark.state}`;
        note.textContent = mark.note;
        overlays.add(id, 'fabu', { position: { bottom: -4, left: 0 }, html: note });
      }
    }
  }, [imported, key]);

  return (
    <figure class="diagram">
      <div class="diagram-canvas" ref={host} data-testid="diagram" data-ready={imported > 0 ? 'true' : 'false'} />
      <figcaption class="legend">
        <span class="swatch done" /> {t('task.legend.done')}
        <span class="swatch current" /> {t('task.legend.current')}
        <span class="swatch pending" /> {t('task.legend.pending')}
      </figcaption>
      {failed && <p class="problem">{failed}</p>}
    </figure>
  );
}
