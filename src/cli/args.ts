/** `import-pledges FILE --dry-run --role officer`: positionals and `--name value` / `--flag` options. */
export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  options: Map<string, string | true>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[], flags: ReadonlySet<string>): ParsedArgs {
  const [command, ...rest] = argv;
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (flags.has(name)) options.set(name, true);
    else if (inline !== undefined) options.set(name, inline);
    else if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) options.set(name, rest[++i]);
    else throw new UsageError(`--${name} needs a value`);
  }
  return { command, positionals, options };
}
