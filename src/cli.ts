import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { DomainError } from './common/errors/domain-errors';
import { MoneyFormatError } from './common/money/money';
import { CsvFormatError } from './interop/csv';
import { parseArgs, UsageError } from './cli/args';
import { FLAGS, runCommand, USAGE } from './cli/commands';

/** Exit codes: 0 done, 1 the work failed (bad data, refused), 2 wrong usage, 78 bad configuration. */
async function main(): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => process.stderr.write(`error: ${line}\n`);
  try {
    const args = parseArgs(process.argv.slice(2), FLAGS);
    if (args.options.has('help')) {
      print(USAGE);
      return 0;
    }
    return await runCommand(args, loadConfig(), print);
  } catch (error) {
    if (error instanceof UsageError) {
      fail(error.message);
      process.stderr.write(`\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      fail(error.message);
      return 78;
    }
    if (error instanceof CsvFormatError) {
      fail(`row ${error.row}, ${error.column}: ${error.message}`);
      return 1;
    }
    if (error instanceof DomainError) {
      fail(error.message);
      for (const d of error.details) if (d.message !== error.message) process.stderr.write(`  ${d.field}: ${d.message}\n`);
      return 1;
    }
    if (error instanceof MoneyFormatError) {
      fail(`${error.field}: ${error.message}`);
      return 1;
    }
    fail((error as Error)?.message ?? String(error));
    return 1;
  }
}

void main().then((code) => process.exit(code));
