// Command-line flags of the bench scripts: `--name N` for positive numbers, `--name` for switches,
// `--name VALUE` for a choice among fixed values. Anything else is refused with the usage line.

export interface FlagSpec {
  numbers?: Record<string, number>;
  switches?: string[];
  choices?: Record<string, { values: readonly string[]; default: string }>;
}

export function parseFlags(argv: string[], spec: FlagSpec, usage: string): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = { ...spec.numbers };
  for (const name of spec.switches ?? []) out[name] = false;
  for (const [name, choice] of Object.entries(spec.choices ?? {})) out[name] = choice.default;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const name = flag.replace(/^--/, '');
    if (spec.numbers && name in spec.numbers) {
      const v = Number(argv[++i]);
      if (!(v > 0)) throw new Error(`${flag} needs a positive number, not ${argv[i]}`);
      out[name] = v;
    } else if (spec.switches?.includes(name)) {
      out[name] = true;
    } else if (spec.choices && name in spec.choices) {
      const value = argv[++i] ?? '';
      const { values } = spec.choices[name]!;
      if (!values.includes(value)) throw new Error(`${flag} is one of ${values.join(', ')}, not ${value}`);
      out[name] = value;
    } else {
      throw new Error(`unknown argument ${flag} (use ${usage})`);
    }
  }
  return out;
}
