/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and
 * by inclusive time for our own code (dist/). Usage:
 *   node --import tsx bench/cpuprofile-top.ts /tmp/prof/CPU.*.cpuprofile [topN]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpuprofile-top.ts <file.cpuprofile> [topN]\n');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// time per node from samples and timeDeltas (more exact than hitCount)
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const short = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, '$1/').replace(/^node:/, 'node:');
const key = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  self.set(key(n), (self.get(key(n)) ?? 0) + us);
  const url = n.callFrame.url;
  const area = url === '' ? n.callFrame.functionName : url.includes('/dist/') ? `dist/${url.split('/dist/')[1]!.split('/').slice(0, 2).join('/')}` : url.includes('node_modules/') ? `node_modules/${url.split('node_modules/').pop()!.split('/')[0]}` : url.startsWith('node:') ? 'node:internal' : 'other';
  byArea.set(area, (byArea.get(area) ?? 0) + us);
  // inclusive: count each distinct frame once per stack
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}
// stage = the outermost frame of our code (dist/) on the stack: async functions resume from
// microtasks, so that frame names the pipeline stage the sample belongs to
const stages = new Map<string, number>();
for (const [id, us] of selfUs) {
  let outer: Node | undefined;
  let innerNonDist: Node | undefined;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (n.callFrame.url.includes('/dist/')) outer = n;
    else if (!innerNonDist && n.callFrame.url !== '') innerNonDist = n;
  }
  const leaf = byId.get(id)!;
  const stage = outer
    ? `${outer.callFrame.url.split('/dist/')[1]} ${outer.callFrame.functionName || '(anonymous)'}`
    : leaf.callFrame.url === '' ? leaf.callFrame.functionName : `(no dist frame) ${short((innerNonDist ?? leaf).callFrame.url).split('/').slice(0, 2).join('/')}`;
  stages.set(stage, (stages.get(stage) ?? 0) + us);
}

const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, map: Map<string, number>, filter: (k: string) => boolean = () => true) => {
  process.stdout.write(`\n== ${title}\n`);
  for (const [k, us] of [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
};
process.stdout.write(`profile ${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
print('time by pipeline stage (outermost dist/ frame)', stages);
print('self time by area', byArea);
print('self time by function', self);
print('inclusive time, our code (dist/)', inclusive, (k) => k.includes('dist/'));
