/**
 * Where a callgrind dump's instructions went, for `count-route.js` with `COUNT_ROUTE_BREAKDOWN=1`.
 *
 * `readCallgrind` streams a dump written with `--dump-instr=no` (one event, `Ir`) line by line and
 * keeps, per function as callgrind names it, its self cost and its calls (count and inclusive cost
 * per callee). The format: `fn=`/`cfn=` name the current function and the callee of the next call,
 * with name compression (`(id) name` the first time, `(id)` after; `fn` and `cfn` share one table,
 * `ob` and `cob` another); a cost line (starting with a digit, `+`, `-` or `*`: the position, then
 * the cost) adds to the current function's self cost, except the one line after `calls=<count>
 * <target>`, which is that call's inclusive cost; `summary:` and `totals:` give the whole.
 *
 * V8's JIT code has no symbols: callgrind names it by address (`0x000000000d174d80`), and node's
 * `--perf-basic-prof` writes `/tmp/perf-<pid>.map` (`<hex start> <hex size> <name>`), which
 * `readPerfMap` loads; an address resolves to the last entry containing it (code space is reused,
 * the later entry is the code that ran). Callgrind marks recursion levels with a suffix (`name'2`).
 *
 * `breakdown` then gives, per request: the self cost by group (JIT-compiled JavaScript, V8 builtins,
 * garbage collection, the rest of V8, node's C++, llhttp, other), and our JavaScript functions (file
 * under `/packages/` or `/tools/bench/`) with inclusive cost, self cost, calls and largest callees.
 * A function's tiers (`*` TurboFan, `+` Maglev, `^` Sparkplug) and code objects are one row. Its
 * inclusive cost is that of its outermost activations (self plus the calls made from recursion
 * level 1), so recursion inside it is counted once; `calls` are those activations (an async
 * function resumed after `await` is entered again). Callgrind takes a return it cannot match for a
 * call into the code past its start: V8's baseline code calls an out-of-line prologue builtin,
 * which returns 0x14 bytes into the function, so callgrind has the builtin "call" the function's
 * body. Such an entry is the function's own work, not a call: it is not counted as one, and its
 * cost, inside the function's call to the builtin, is taken out of the function's inclusive cost
 * and that callee's share once (otherwise the body would count twice). TurboFan inlines small
 * callees: their cost is then in the caller's self. Calls that go through a builtin
 * (`Builtins_Call_*`) show as calls of that builtin, whose callees callgrind does not keep apart
 * by caller. Functions still interpreted have no code of their own: their cost is in the bytecode
 * handlers (`Builtins_*Handler`), which the group table shows on a line of its own.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** One function as callgrind names it (one recursion level of it: `name'2` is a function of its own). */
export interface RawFunction {
  /** The ELF object callgrind put it in; `???` for code outside any (V8's JIT code). */
  object: string;
  self: number;
  /** By callee name: calls made and their inclusive cost. */
  callees: Map<string, { calls: number; inclusive: number }>;
}

export interface CallgrindDump {
  /** The `summary:` line (what count-route divides; in its dumps a little below `totals:`). */
  summary: number | undefined;
  /** The `totals:` line: the sum of all self costs. */
  totals: number | undefined;
  functions: Map<string, RawFunction>;
}

const COST_LINE = /^[0-9+\-*]/;

/** Reads a callgrind dump line by line (dumps run to tens of MB). */
export async function readCallgrind(path: string): Promise<CallgrindDump> {
  const functions = new Map<string, RawFunction>();
  const fnNames = new Map<string, string>();
  const obNames = new Map<string, string>();
  let summary: number | undefined;
  let totals: number | undefined;
  let positions = 1;
  let object = '';
  let current: RawFunction | undefined;
  let callee: string | undefined;
  let callCount: number | undefined;
  let skipNext = false;
  const fnOf = (name: string): RawFunction => {
    let fn = functions.get(name);
    if (!fn) {
      fn = { object, self: 0, callees: new Map() };
      functions.set(name, fn);
    }
    return fn;
  };
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    if (COST_LINE.test(line)) {
      const cost = costOf(line, positions);
      if (callCount !== undefined) {
        if (current && callee !== undefined) {
          const edge = current.callees.get(callee);
          if (edge) {
            edge.calls += callCount;
            edge.inclusive += cost;
          } else current.callees.set(callee, { calls: callCount, inclusive: cost });
        }
        callCount = undefined;
      } else if (current) current.self += cost;
    } else if (line.startsWith('fn=')) {
      current = fnOf(compressed(line.slice(3), fnNames));
    } else if (line.startsWith('cfn=')) {
      callee = compressed(line.slice(4), fnNames);
    } else if (line.startsWith('calls=')) {
      callCount = Number(line.slice(6).split(' ', 1)[0]);
    } else if (line.startsWith('ob=')) {
      object = compressed(line.slice(3), obNames);
    } else if (line.startsWith('cob=')) {
      compressed(line.slice(4), obNames); // only to learn the name of its id
    } else if (line.startsWith('jump=') || line.startsWith('jcnd=')) {
      skipNext = true; // (not written without --collect-jumps) its position line carries no cost
    } else if (line.startsWith('positions:')) {
      positions = line.slice(10).trim().split(/\s+/).length;
    } else if (line.startsWith('events:')) {
      const events = line.slice(7).trim().split(/\s+/);
      if (events[0] !== 'Ir') throw new Error(`${path}: the first event is ${events[0]}, not Ir`);
    } else if (line.startsWith('summary:')) {
      summary = Number(line.slice(8).trim().split(/\s+/)[0]);
    } else if (line.startsWith('totals:')) {
      totals = Number(line.slice(7).trim().split(/\s+/)[0]);
    }
  }
  return { summary, totals, functions };
}

/** The first event's cost on a cost line (after `positions` position columns; omitted means 0). */
function costOf(line: string, positions: number): number {
  const fields = line.split(' ');
  return Number(fields[positions] ?? 0);
}

/** `(id) name` defines an id, `(id)` uses it, a bare name is itself. */
function compressed(value: string, names: Map<string, string>): string {
  if (!value.startsWith('(')) return value;
  const close = value.indexOf(')');
  const id = value.slice(1, close);
  if (close + 1 < value.length) {
    const name = value.slice(close + 2);
    names.set(id, name);
    return name;
  }
  return names.get(id) ?? value;
}

/** A perf map's entries, in file order (the later entry for an address is the code that ran). */
export class PerfMap {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly names: string[] = [];
  private readonly cache = new Map<number, { start: number; name: string } | undefined>();

  constructor(text: string) {
    for (const line of text.split('\n')) {
      const first = line.indexOf(' ');
      const second = line.indexOf(' ', first + 1);
      if (first < 0 || second < 0) continue;
      const start = parseInt(line.slice(0, first), 16);
      this.starts.push(start);
      this.ends.push(start + parseInt(line.slice(first + 1, second), 16));
      this.names.push(line.slice(second + 1));
    }
  }

  get size(): number {
    return this.names.length;
  }

  /** The last entry containing `address`: where its code starts, and its name. */
  resolve(address: number): { start: number; name: string } | undefined {
    if (this.cache.has(address)) return this.cache.get(address);
    let found: { start: number; name: string } | undefined;
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (this.starts[i]! <= address && address < this.ends[i]!) {
        found = { start: this.starts[i]!, name: this.names[i]! };
        break;
      }
    }
    this.cache.set(address, found);
    return found;
  }
}

export function readPerfMap(path: string): PerfMap {
  return new PerfMap(readFileSync(path, 'utf8'));
}

export const GROUPS = [
  'JIT-compiled JavaScript',
  'JIT regexp code',
  'JIT code, other or not in the perf map',
  'V8 builtins',
  'garbage collection',
  'other V8 runtime (C++)',
  'node C++',
  'llhttp',
  'other (libc, libuv, OpenSSL, kernel, …)',
] as const;
export type Group = (typeof GROUPS)[number];

const GC =
  /Marking|Scaveng|Sweep|Evacuat|Heap::|MarkCompact|WriteBarrier|Ephemeron|RememberedSet|SlotSet|ConcurrentMarking|IncrementalMarking|BodyDescriptor|LocalAllocator|PagedSpace|NewSpace|MemoryChunk/;
/** Bytecode handlers and the interpreter's entries: where functions still interpreted spend. */
const INTERPRETER = /^Builtins_(?:\w+Handler|Interpreter\w*|BaselineOrInterpreter\w*)$/;
const JS_KINDS = new Set(['JS', 'Script', 'Eval', 'Function', 'LazyCompile']);

/** A callgrind function name, resolved. */
interface Resolved {
  group: Group;
  /** Recursion level (callgrind's `'2` suffix), 1 outside recursion. */
  level: number;
  /**
   * False for JIT code entered past its start: callgrind names code by the address where it took
   * a function to begin, and it takes a return it could not match for a call. V8's baseline code
   * calls an out-of-line prologue, which returns into the function 0x14 bytes on: callgrind then
   * sees the prologue builtin "call" the function's body, a function of its own.
   */
  entry: boolean;
  /** For JavaScript: the function whatever its tier (`name location`); otherwise the name. */
  key: string;
  /** For JavaScript: the tier of this code (`*` TurboFan, `^` Sparkplug, `+` Maglev, `~` interpreted). */
  tier: string;
  /** What to print: JavaScript as `name path:line:column`, paths shortened. */
  label: string;
  /** A JavaScript function of ours: file under `/packages/` or `/tools/bench/`. */
  ours: boolean;
}

export class Resolver {
  private readonly cache = new Map<string, Resolved>();

  /** `root` (the repository's directory) is cut from file paths in labels. */
  constructor(
    private readonly map: PerfMap,
    private readonly root: string,
  ) {}

  resolve(name: string, object: string | undefined): Resolved {
    let resolved = this.cache.get(name);
    if (!resolved) {
      resolved = this.compute(name, object);
      this.cache.set(name, resolved);
    }
    return resolved;
  }

  private compute(raw: string, object: string | undefined): Resolved {
    const recursion = /'(\d+)$/.exec(raw);
    const level = recursion ? Number(recursion[1]) : 1;
    const name = recursion ? raw.slice(0, recursion.index) : raw;
    const plain = (group: Group): Resolved => ({
      group,
      level,
      entry: true,
      key: name,
      tier: '',
      label: name.length > 110 ? `${name.slice(0, 109)}…` : name,
      ours: false,
    });
    if (/^0x[0-9a-f]+$/i.test(name)) {
      const address = parseInt(name.slice(2), 16);
      const found = this.map.resolve(address);
      if (found === undefined) {
        return plain(
          object === '???'
            ? 'JIT code, other or not in the perf map'
            : 'other (libc, libuv, OpenSSL, kernel, …)',
        );
      }
      const entry = found.name;
      const colon = entry.indexOf(':');
      const kind = entry.slice(0, colon);
      if (kind === 'RegExp')
        return { ...plain('JIT regexp code'), key: entry, label: `regexp ${entry.slice(7)}` };
      if (!JS_KINDS.has(kind) || entry.startsWith('JS:wasm')) {
        return { ...plain('JIT code, other or not in the perf map'), key: entry, label: entry };
      }
      let rest = entry.slice(colon + 1);
      let tier = '';
      if ('*^+~'.includes(rest.charAt(0)) && rest.length > 0) {
        tier = rest.charAt(0);
        rest = rest.slice(1);
      }
      const space = rest.lastIndexOf(' ');
      const fn = space < 0 ? '' : rest.slice(0, space);
      const location = space < 0 ? rest : rest.slice(space + 1);
      const path = location.replace(/^file:\/\//, '');
      const short = path.startsWith(`${this.root}/`) ? path.slice(this.root.length + 1) : path;
      return {
        group: 'JIT-compiled JavaScript',
        level,
        entry: address === found.start,
        key: `${fn} ${location}`,
        tier,
        label: `${fn || '(anonymous)'} ${short}`,
        ours: !path.includes('/node_modules/') && /\/packages\/|\/tools\/bench\//.test(path),
      };
    }
    const qualified = name.includes('(') ? name.slice(0, name.indexOf('(')) : name;
    if (name.startsWith('Builtins_')) return plain('V8 builtins');
    if (GC.test(qualified)) return plain('garbage collection');
    if (/v8::internal|^_ZN2v8|(?:^|[\s*&<])v8::/.test(qualified)) return plain('other V8 runtime (C++)');
    if (/node::|^_ZN4node/.test(qualified)) return plain('node C++');
    if (name.includes('llhttp')) return plain('llhttp');
    return plain('other (libc, libuv, OpenSSL, kernel, …)');
  }
}

/** A function's callee, per request: its calls from the function and their inclusive cost. */
export interface Callee {
  label: string;
  inclusive: number;
  calls: number;
  ours: boolean;
  builtin: boolean;
}

export interface FunctionRow {
  /** `*^name path:line:column`: the tiers its code ran in, then the function. */
  label: string;
  /** Per request. */
  inclusive: number;
  self: number;
  calls: number;
  /** Largest first, per request. */
  callees: Callee[];
}

export interface Breakdown {
  requests: number;
  /** The sum of self costs, per request (equals the dump's `totals:` line). */
  total: number;
  /** The dump's `summary:` line, per request (what count-route prints). */
  summary: number | undefined;
  groups: { group: Group; self: number }[];
  /** Of the builtins, the bytecode handlers and interpreter entries (JavaScript not compiled). */
  interpreter: number;
  functions: FunctionRow[];
  /** Ours, but over `wrapperShare` of the request inclusive: the framework runs the route inside them. */
  wrappers: FunctionRow[];
  /** Ours, under `minimum` instructions per request inclusive. */
  omitted: number;
  /** The thresholds used. */
  minimum: number;
  calleeMinimum: number;
  wrapperShare: number;
}

export interface BreakdownOptions {
  /** Counted requests (everything is divided by them). */
  requests: number;
  root: string;
  /** Callees under this many instructions per request are left out (50). */
  calleeMinimum?: number;
  /** Functions under this many instructions per request inclusive are only counted (5). */
  minimum?: number;
  /** A function whose inclusive cost is over this share of the request is a wrapper (0.25). */
  wrapperShare?: number;
}

export function breakdown(dump: CallgrindDump, map: PerfMap, options: BreakdownOptions): Breakdown {
  const { requests, root, calleeMinimum = 50, minimum = 5, wrapperShare = 0.25 } = options;
  const resolver = new Resolver(map, root);
  const objectOf = (name: string) => dump.functions.get(name)?.object;
  const resolve = (name: string) => resolver.resolve(name, objectOf(name));

  const bySelf = new Map<Group, number>();
  let interpreter = 0;
  let sum = 0;
  interface Acc {
    label: string;
    tiers: Set<string>;
    inclusive: number;
    self: number;
    calls: number;
    callees: Map<string, Callee>;
    /** By caller label: returns into this function's body that callgrind took for calls (above). */
    returns: Map<string, number>;
  }
  const ours = new Map<string, Acc>();
  const accOf = (r: Resolved): Acc => {
    let acc = ours.get(r.key);
    if (!acc) {
      acc = {
        label: r.label,
        tiers: new Set(),
        inclusive: 0,
        self: 0,
        calls: 0,
        callees: new Map(),
        returns: new Map(),
      };
      ours.set(r.key, acc);
    }
    return acc;
  };

  for (const [name, fn] of dump.functions) {
    const r = resolve(name);
    sum += fn.self;
    bySelf.set(r.group, (bySelf.get(r.group) ?? 0) + fn.self);
    if (r.group === 'V8 builtins' && INTERPRETER.test(r.key)) interpreter += fn.self;
    for (const [calleeName, edge] of fn.callees) {
      const c = resolve(calleeName);
      if (!c.ours || c.level !== 1 || c.key === r.key) continue;
      const target = accOf(c);
      // Calls into one of our functions from outside it: its outermost activations.
      if (c.entry) target.calls += edge.calls;
      else {
        // A return into the function's body (`entry`): the body's cost is counted below as the
        // function's own, and it is inside this edge, whose caller the function called: the
        // function's inclusive cost, and that callee's share of it, count it once less.
        target.inclusive -= edge.inclusive;
        const label = r.tier + r.label;
        target.returns.set(label, (target.returns.get(label) ?? 0) + edge.inclusive);
      }
    }
    if (!r.ours) continue;
    const acc = accOf(r);
    acc.self += fn.self;
    if (fn.self > 0 || fn.callees.size > 0) acc.tiers.add(r.tier);
    if (r.level !== 1) continue; // deeper levels are inside the calls of level 1
    acc.inclusive += fn.self;
    for (const [calleeName, edge] of fn.callees) {
      const c = resolve(calleeName);
      // Another code object of the same function at level 1 (another tier, or an entry past the
      // prologue) has its own level-1 record: counting the edge too would count it twice.
      if (c.key === r.key && c.level === 1) continue;
      // A return into another function of ours (above), not a call.
      if (c.ours && c.level === 1 && !c.entry) continue;
      acc.inclusive += edge.inclusive;
      const label = c.tier + c.label + (c.key === r.key ? ' (recursion)' : '');
      const entry = acc.callees.get(label);
      if (entry) {
        entry.inclusive += edge.inclusive;
        entry.calls += edge.calls;
      } else {
        acc.callees.set(label, {
          label,
          inclusive: edge.inclusive,
          calls: edge.calls,
          ours: c.ours,
          builtin: c.group === 'V8 builtins',
        });
      }
    }
  }

  const total = sum / requests;
  const functions: FunctionRow[] = [];
  const wrappers: FunctionRow[] = [];
  let omitted = 0;
  for (const acc of ours.values()) {
    for (const [label, cost] of acc.returns) {
      const callee = acc.callees.get(label);
      if (callee) callee.inclusive -= cost;
    }
    const row: FunctionRow = {
      label: [...acc.tiers].sort().join('') + acc.label,
      inclusive: acc.inclusive / requests,
      self: acc.self / requests,
      calls: acc.calls / requests,
      callees: [...acc.callees.values()]
        .map((c) => ({ ...c, inclusive: c.inclusive / requests, calls: c.calls / requests }))
        .filter((c) => c.inclusive >= calleeMinimum)
        .sort((a, b) => b.inclusive - a.inclusive),
    };
    if (row.inclusive > wrapperShare * total) wrappers.push(row);
    else if (row.inclusive >= minimum) functions.push(row);
    else omitted++;
  }
  functions.sort((a, b) => b.inclusive - a.inclusive);
  wrappers.sort((a, b) => b.inclusive - a.inclusive);
  return {
    requests,
    total,
    summary: dump.summary === undefined ? undefined : dump.summary / requests,
    groups: GROUPS.map((group) => ({ group, self: (bySelf.get(group) ?? 0) / requests })),
    interpreter: interpreter / requests,
    functions,
    wrappers,
    omitted,
    minimum,
    calleeMinimum,
    wrapperShare,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pad = (s: string, width: number) => s.padStart(width);

/** The breakdown as indented text lines, per request. */
export function renderBreakdown(b: Breakdown): string {
  const { wrapperShare, calleeMinimum } = b;
  const lines: string[] = [];
  const group = (label: string, value: number, share = '') =>
    `    ${label.padEnd(42)} ${pad(int(value), 9)}${share}`;
  const fn = (inclusive: string, self: string, calls: number | string, label: string) =>
    `    ${pad(inclusive, 9)} ${pad(self, 7)} ${pad(typeof calls === 'number' ? calls.toFixed(2) : calls, 6)}  ${label}`;
  const callee = (c: Callee) => fn(int(c.inclusive), '', c.calls, `  → ${c.label}`);

  lines.push(`  self cost by group, instructions per request (${int(b.requests)} counted requests):`);
  for (const { group: name, self } of b.groups) {
    if (Math.round(self) === 0) continue;
    lines.push(group(name, self, `  ${pad(((100 * self) / b.total).toFixed(1), 5)} %`));
    if (name === 'V8 builtins' && Math.round(b.interpreter) > 0) {
      lines.push(group('  of which bytecode handlers (interpreter)', b.interpreter));
    }
  }
  lines.push(group("sum (the dump's totals: line)", b.total));
  if (b.summary !== undefined && Math.round(b.summary) !== Math.round(b.total)) {
    const gap = b.total - b.summary;
    lines.push(
      `    (the figure above is the dump's summary: line, ${int(b.summary)}: ` +
        `${int(Math.abs(gap))} ${gap > 0 ? 'below' : 'above'} the sum)`,
    );
  }

  lines.push('');
  lines.push(
    '  our JavaScript functions (file under /packages/ or /tools/bench/), per request, with their callees',
    `  over ${calleeMinimum} instructions (→; a callee's calls are those from the function):`,
  );
  lines.push(fn('inclusive', 'self', 'calls', 'function (* TurboFan, + Maglev, ^ Sparkplug)'));
  for (const f of b.functions) {
    lines.push(fn(int(f.inclusive), int(f.self), f.calls, f.label));
    for (const c of f.callees) lines.push(callee(c));
  }
  if (b.functions.length === 0) lines.push('    (none)');
  if (b.omitted > 0) lines.push(`    (and ${b.omitted} under ${b.minimum} instructions per request)`);

  if (b.wrappers.length > 0) {
    lines.push('');
    lines.push(
      `  ours whose inclusive cost is over ${100 * wrapperShare} % of the request: the route runs inside them, so`,
      '  only their self cost, and their callees that are ours or builtins under that share:',
    );
    lines.push(fn('inclusive', 'self', 'calls', 'function'));
    for (const f of b.wrappers) {
      lines.push(fn('(route)', int(f.self), f.calls, f.label));
      for (const c of f.callees) {
        if ((c.ours || c.builtin) && c.inclusive <= wrapperShare * b.total) lines.push(callee(c));
      }
    }
  }
  return lines.join('\n');
}
