import { describe, it, expect } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every class a screen's template uses has a rule in the one stylesheet. Tables and filter rows once
 * rendered unstyled because their class (`table`, `filters`) existed in no rule; this keeps it so.
 * Email templates are left out: they carry inline styles, since mail programs drop stylesheets.
 */
const ROOT = process.cwd();

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'emails' ? [] : templates(path);
    return name.endsWith('.hbs') ? [path] : [];
  });
}

describe('view classes', () => {
  it('has a stylesheet rule for every class a screen uses', () => {
    const css = readFileSync(join(ROOT, 'public/styles.css'), 'utf8');
    const defined = new Set([...css.matchAll(/\.([a-z][a-z0-9_-]*)/g)].map((m) => m[1]));
    const used = new Map<string, string>();
    for (const file of templates(join(ROOT, 'views'))) {
      // A class attribute may hold Handlebars expressions, quotes included ({{#if (eq status "cancelled")}}).
      for (const m of readFileSync(file, 'utf8').matchAll(/class="((?:[^"{]|\{\{[^}]*\}\})*)"/g)) {
        // Literal class names only: a name completed by an expression ("flash--{{kind}}") is skipped.
        for (const name of m[1].replace(/\S*\{\{[^}]*\}\}\S*/g, ' ').split(/\s+/))
          if (/^[a-z][a-z0-9_-]*$/.test(name)) used.set(name, file.slice(ROOT.length + 1));
      }
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter(([name]) => !defined.has(name)).map(([name, file]) => `${name} (${file})`)).toEqual([]);
  });
});
