// bpmn-moddle 10 ships no types for its main entry; this declares only what fabu uses.
declare module 'bpmn-moddle' {
  /** A parsed element. Properties depend on `$type` (and on extension packages such as fabu). */
  export interface ModdleElement {
    readonly $type: string;
    /** Attributes no package describes (foreign namespaces, xmlns declarations). */
    readonly $attrs?: Record<string, string>;
    readonly $parent?: ModdleElement;
    readonly id?: string;
    readonly [property: string]: unknown;
  }

  export interface ImportWarning {
    message: string;
    element?: ModdleElement;
    property?: string;
    value?: unknown;
    error?: Error;
  }

  export interface ImportResult {
    rootElement: ModdleElement;
    elementsById: Record<string, ModdleElement>;
    warnings: ImportWarning[];
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, object>, options?: object);
    /** Rejects on XML it cannot read; the error carries `warnings` collected so far. */
    fromXML(xml: string, typeName?: string): Promise<ImportResult>;
  }
}
