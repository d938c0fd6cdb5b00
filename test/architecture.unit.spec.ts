import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

/**
 * The dependency rule of DESIGN.md, checked on every import in src/:
 * domain <- application <- {adapters, http, workers, cli}; only bootstrap wires adapters.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

const layers = ['domain', 'application', 'contracts', 'adapters', 'http', 'workers', 'cli', 'bootstrap'] as const;
type Layer = (typeof layers)[number];

/** Which layers each layer may import (besides itself). */
const allowed: Record<Layer, readonly Layer[]> = {
  domain: [],
  application: ['domain'],
  contracts: [],
  adapters: ['application', 'domain'],
  http: ['application', 'domain', 'contracts'],
  workers: ['application', 'domain'],
  cli: ['bootstrap', 'application', 'domain'],
  bootstrap: ['adapters', 'application', 'domain', 'http', 'workers', 'contracts'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.includes('test-support') ? [path] : [];
  });
}

const layerOf = (file: string): Layer => relative(SRC, file).split('/')[0] as Layer;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(SRC);

describe('architecture: dependencies point inward', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('no layer imports a layer it may not depend on', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(resolve(dirname(file), spec));
        if (target !== from && !allowed[from].includes(target)) violations.push(`${relative(SRC, file)} imports ${spec} (${from} -> ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the domain is pure: no node built-ins, no packages but decimal.js, no clock or randomness', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => layerOf(f) === 'domain')) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.') && spec !== 'decimal.js') violations.push(`${relative(SRC, file)} imports ${spec}`);
      }
      const text = readFileSync(file, 'utf8');
      if (/\bDate\.now\(|\bnew Date\(\s*\)|Math\.random\(|\bprocess\.(?:env|argv|hrtime|exit|stdout|stderr|cwd|nextTick)\b/.test(text)) violations.push(`${relative(SRC, file)} reads the clock, randomness or the process`);
    }
    expect(violations).toEqual([]);
  });

  it('finds a violation when one exists (the checker is not vacuous)', () => {
    const fake = join(SRC, 'domain/fake.ts');
    const spec = '../adapters/eventstore/canonical-json.js';
    const target = layerOf(resolve(dirname(fake), spec));
    expect(allowed[layerOf(fake)].includes(target)).toBe(false);
  });
});

describe('the build holds no test code', () => {
  it('every source file that imports vitest (specs, contract suites, test support) is excluded from dist/ by tsconfig.build.json', () => {
    const build = JSON.parse(readFileSync(resolve(SRC, '../tsconfig.build.json'), 'utf8')) as { exclude: string[] };
    // the exclude globs of tsconfig.build.json, as regular expressions over paths relative to the repository
    const globToRegExp = (glob: string): RegExp => {
      let out = '';
      for (let i = 0; i < glob.length; i++) {
        const c = glob[i]!;
        if (c === '*' && glob[i + 1] === '*') {
          const dir = glob[i + 2] === '/';
          out += dir ? '(?:.*/)?' : '.*';
          i += dir ? 2 : 1;
        } else if (c === '*') out += '[^/]*';
        else out += /[.+?^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
      }
      return new RegExp(`^${out}$`);
    };
    const excluded = build.exclude.map(globToRegExp);
    const all = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? all(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
    const leaking = all(SRC)
      .filter((file) => /from\s+['"]vitest['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(resolve(SRC, '..'), file))
      .filter((path) => !excluded.some((re) => re.test(path)));
    expect(leaking).toEqual([]);
    expect(excluded.some((re) => re.test('src/adapters/eventstore/event-store.contract.ts'))).toBe(true);
  });
});

describe('route plugins declare what they use', () => {

  it('each route plugin receives exactly the HttpDeps members it uses (a Pick), no more', () => {
    const problems: string[] = [];
    const routes = join(SRC, 'http/routes');
    const pluginFiles = readdirSync(routes)
      .filter((dir) => statSync(join(routes, dir)).isDirectory())
      .flatMap((dir) => readdirSync(join(routes, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).map((f) => join(dir, f)));
    for (const dir of pluginFiles) {
      const text = readFileSync(join(routes, dir), 'utf8');
      const picks = new Map([...text.matchAll(/export type (\w+) = Pick<HttpDeps, ([^>]+)>/g)].map((m) => [m[1]!, new Set([...m[2]!.matchAll(/'(\w+)'/g)].map((x) => x[1]!))]));
      const plugins = [...text.matchAll(/export const (\w+): FastifyPluginAsync<\{ deps: (\w+)/g)];
      plugins.forEach((plugin, i) => {
        const [, name, type] = plugin;
        const body = text.slice(plugin.index, plugins[i + 1]?.index ?? text.length);
        const used = new Set([...body.matchAll(/\bdeps\.(\w+)/g)].map((m) => m[1]!));
        const declared = picks.get(type!);
        if (!declared) return void problems.push(`${dir}: ${name} takes ${type}, not a Pick of HttpDeps`);
        const unused = [...declared].filter((m) => !used.has(m));
        if (unused.length > 0) problems.push(`${dir}: ${name} receives ${unused.join(', ')} without using it`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('the composition root stays readable: no function in src/bootstrap is over 80 lines', () => {
    const long: string[] = [];
    for (const file of sourceFiles(join(SRC, 'bootstrap')).filter((f) => !f.includes('.spec.') && !f.includes('test-support'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > 80) long.push(`${relative(SRC, file)}:${first + 1} (${last - first + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
