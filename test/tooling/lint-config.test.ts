import { describe, it, expect } from '@jest/globals';
import { ESLint } from 'eslint';
import { join } from 'node:path';

/**
 * A test of the lint configuration, not of the code: code planted in memory (nothing is written
 * to the tree) at a path inside src/ must be refused for the reasons the configuration exists.
 */
const eslint = new ESLint({
  cwd: process.cwd(),
  // The planted files do not exist on disk: the type-aware parser is told it may type them with
  // the project's own tsconfig.json. Every rule comes from eslint.config.mjs unchanged.
  overrideConfig: {
    files: ['src/*/planted-probe*.ts'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['src/*/planted-probe*.ts'], defaultProject: 'tsconfig.json' } },
    },
  },
});

async function rulesBroken(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(process.cwd(), relativePath) });
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('lint configuration', () => {
  it('refuses a promise nobody awaits or handles', async () => {
    const code = `export async function save(): Promise<void> {}\nexport function handler(): void {\n  save();\n}\n`;
    expect(await rulesBroken('src/pledges/planted-probe.ts', code)).toContain('@typescript-eslint/no-floating-promises');
    expect(await rulesBroken('src/pledges/planted-probe.ts', code.replace('  save();', '  void save();'))).toEqual([]);
  });

  it('refuses an any leaking into typed code', async () => {
    const code = `export function read(raw: string): number {\n  const row = JSON.parse(raw);\n  return row.total;\n}\n`;
    expect(await rulesBroken('src/funding/planted-probe.ts', code)).toEqual(
      expect.arrayContaining(['@typescript-eslint/no-unsafe-assignment', '@typescript-eslint/no-unsafe-member-access']),
    );
  });

  it('keeps TypeORM in repositories, entities, migrations and database/', async () => {
    const code = `import { DataSource } from 'typeorm';\nexport type Source = DataSource;\n`;
    expect(await rulesBroken('src/pledges/planted-probe.service.ts', code)).toContain('no-restricted-imports');
    expect(await rulesBroken('src/pledges/planted-probe.repository.ts', code)).toEqual([]);
    expect(await rulesBroken('src/database/planted-probe.ts', code)).toEqual([]);
  });

  it('keeps the screens out of domain modules', async () => {
    const code = `import { formatQuantity } from '../web/format';\nexport const f = formatQuantity;\n`;
    expect(await rulesBroken('src/funding/planted-probe.ts', code)).toContain('no-restricted-imports');
  });

  it("keeps a module's repository its own, types aside", async () => {
    const code = `import { LedgerRepository } from '../ledger/ledger.repository';\nexport const r = LedgerRepository;\n`;
    expect(await rulesBroken('src/funding/planted-probe.ts', code)).toContain('@typescript-eslint/no-restricted-imports');
    const typeOnly = `import type { DatedSum } from '../ledger/ledger-figures.repository';\nexport type S = DatedSum;\n`;
    expect(await rulesBroken('src/funding/planted-probe.ts', typeOnly)).toEqual([]);
  });

  it('keeps database/ and access/ below every feature', async () => {
    const code = `import { PledgesService } from '../pledges/pledges.service';\nexport const s = PledgesService;\n`;
    expect(await rulesBroken('src/database/planted-probe.ts', code)).toContain('no-restricted-imports');
    expect(await rulesBroken('src/access/planted-probe.ts', code)).toContain('no-restricted-imports');
    const low = `import { todayUtc } from '../common/dates';\nexport const t = todayUtc;\n`;
    expect(await rulesBroken('src/access/planted-probe.ts', low)).toEqual([]);
  });

  it('keeps the question "which database?" in the dialect layer', async () => {
    const code = `export function pick(isPostgres: boolean): string {\n  return isPostgres ? '$1' : '?';\n}\n`;
    expect(await rulesBroken('src/pledges/planted-probe.ts', code)).toContain('no-restricted-syntax');
    expect(await rulesBroken('src/database/planted-probe.ts', code)).toEqual([]);
  });
});
