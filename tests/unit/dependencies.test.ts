import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Every declared package earns its place: an unused one is attack surface and install time. */
const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const trackedFiles = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => /\.(?:ts|js|mjs|cjs|svelte|json|html)$/.test(file) || file.startsWith('.'))
  .filter((file) => file !== 'package.json' && file !== 'package-lock.json');
const read = (file: string): string => {
  try {
    return readFileSync(new URL(file, root), 'utf8');
  } catch {
    return '';
  }
};

/** `import … from 'pkg'`, `import('pkg/sub')`, `import 'pkg/auto'`. */
function importsPackage(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(?:from\\s+|import\\s*\\(?\\s*)['"]${escaped}(?:/[^'"]*)?['"]`).test(text);
}

describe('dependencies', () => {
  it('the app imports every runtime dependency (what ships to users)', () => {
    const appFiles = trackedFiles.filter((file) => /^(?:src|workers)\//.test(file)).map(read);
    const unused = Object.keys(manifest.dependencies).filter(
      (name) => !appFiles.some((text) => importsPackage(text, name)),
    );
    expect(unused).toEqual([]);
  });

  it('every development dependency is used by code, a config file or a script', () => {
    const texts = trackedFiles.map(read);
    const scripts = readFileSync(new URL('package.json', root), 'utf8');
    /** Used without being named: Node's types through `node:` imports, TypeScript through tsconfig. */
    const usedUnnamed: Record<string, () => boolean> = {
      '@types/node': () => texts.some((text) => /from ['"]node:/.test(text)),
      typescript: () => trackedFiles.includes('tsconfig.json'),
    };
    const unused = Object.keys(manifest.devDependencies).filter((name) => {
      if (usedUnnamed[name]) return !usedUnnamed[name]();
      if (
        texts.some(
          (text) => importsPackage(text, name) || text.includes(`'${name}'`) || text.includes(`"${name}"`),
        )
      )
        return false;
      return !new RegExp(`"[a-z:-]+": "[^"]*\\b${name}\\b`).test(scripts);
    });
    expect(unused).toEqual([]);
  });
});
