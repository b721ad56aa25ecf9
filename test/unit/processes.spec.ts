import { readdirSync, readFileSync } from 'node:fs';
import { BpmnModdle, type ModdleElement } from 'bpmn-moddle';
import { compileBpmn } from '../../src/processes/compiler.js';
import { fabuModdleDescriptor } from '../../src/processes/fabu-moddle.js';

// Every chain shipped in processes/: read from the directory, so a new file is covered as it lands.
const DIR = new URL('../../processes/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((name) => name.endsWith('.bpmn'))
  .sort();
const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');

/** A rule id of docs/chains.md as a process cites it: a region letter and a number, e.g. H3. */
const RULE_ID = /^[HNULO]\d+$/;
/** `text` mentions rule `id` as such: "H3" and "H3.4" cite H3, "H31" and "NH3" do not. */
const cites = (text: string, id: string) => new RegExp(`(?<![A-Za-z0-9])${id}(?![0-9])`).test(text);

interface Parsed {
  process: ModdleElement & { flowElements: ModdleElement[]; documentation?: Array<{ text?: string }>; code?: string };
  planeElements: ModdleElement[];
}

async function parse(xml: string): Promise<Parsed> {
  const { rootElement } = await new BpmnModdle({ fabu: fabuModdleDescriptor }).fromXML(xml);
  const roots = rootElement.rootElements as ModdleElement[];
  const diagrams = (rootElement.diagrams ?? []) as Array<{ plane?: { planeElement?: ModdleElement[] } }>;
  return {
    process: roots.find((e) => e.$type === 'bpmn:Process') as Parsed['process'],
    planeElements: diagrams.flatMap((d) => d.plane?.planeElement ?? []),
  };
}

describe('processes/', () => {
  it('holds chains to check when the directory is read', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  describe.each(FILES)('%s', (file) => {
    let parsed: Parsed;
    beforeAll(async () => {
      parsed = await parse(read(file));
    });

    it('compiles when read from processes/', async () => {
      await expect(compileBpmn(read(file), { fileName: file })).resolves.toMatchObject({ key: parsed.process.id });
    });

    it('cites each of its rule ids in the process documentation when it names rules', async () => {
      const { rules } = await compileBpmn(read(file), { fileName: file });
      const documentation = (parsed.process.documentation ?? []).map((d) => d.text ?? '').join('\n');
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.filter((id) => !RULE_ID.test(id))).toEqual([]);
      expect(rules.filter((id) => !cites(documentation, id))).toEqual([]);
    });

    it('draws every flow node as a shape and every sequence flow as an edge when opened in a modeler', () => {
      const drawn = new Map(
        parsed.planeElements.map((di) => [(di.bpmnElement as ModdleElement | undefined)?.id, di.$type]),
      );
      const elements = parsed.process.flowElements;
      expect(elements.length).toBeGreaterThan(0);
      expect(Object.fromEntries(elements.map((e) => [e.id, drawn.get(e.id)]))).toEqual(
        Object.fromEntries(
          elements.map((e) => [e.id, e.$type === 'bpmn:SequenceFlow' ? 'bpmndi:BPMNEdge' : 'bpmndi:BPMNShape']),
        ),
      );
    });
  });

  it('gives each file its own process key and fabu:code when all are read', async () => {
    const processes = await Promise.all(
      FILES.map(async (file) => ({ file, process: (await parse(read(file))).process })),
    );
    /** The values `pick` gives more than one file, with those files. */
    const shared = (pick: (process: Parsed['process']) => unknown) => {
      const files = new Map<unknown, string[]>();
      for (const { file, process } of processes) files.set(pick(process), [...(files.get(pick(process)) ?? []), file]);
      return [...files].filter(([, names]) => names.length > 1);
    };
    expect(processes.every(({ process }) => process.id && process.code)).toBe(true);
    expect(shared((process) => process.id)).toEqual([]);
    expect(shared((process) => process.code)).toEqual([]);
  });
});
