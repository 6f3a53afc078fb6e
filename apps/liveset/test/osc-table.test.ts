// docs/liveset-osc.md §2.1 is the listener table; src/osc-table.ts is the same table in code.
// The doc's table is parsed here and compared with the code's row by row (address, signature),
// so neither can gain, lose or change a row without the other. Also the generic checker's
// order of checks (§5: OSC_BAD_ARGS before OSC_BAD_VALUE).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CheckedArgs, LISTENER_TABLE, signatureOf } from '../src/osc-table.ts';
import type { Args, ArgSpec } from '../src/osc-table.ts';
import { bool, float, int, str } from '../src/osc/codec.ts';

const DOC = new URL('../../../docs/liveset-osc.md', import.meta.url);

/** The table rows under `### 2.1`, as [address cell, arguments cell]. */
function docRows(markdown: string): [string, string][] {
  const section = /^### 2\.1 .*$([\s\S]*?)^#{2,3} /m.exec(markdown);
  assert.ok(section, 'docs/liveset-osc.md has a §2.1');
  const rows: [string, string][] = [];
  for (const line of section[1]!.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells[0] === 'address' || /^-+$/.test(cells[0]!)) continue;
    rows.push([cells[0]!, cells[1]!]);
  }
  return rows;
}

/**
 * The addresses of one address cell: `/a/b/x`, `/a/b/y` are two; `/a/b/x` · `y` is the same
 * path with its last segment replaced.
 */
function addressesOf(cell: string): string[] {
  const out: string[] = [];
  for (const m of cell.matchAll(/`([^`]+)`/g)) {
    const token = m[1]!;
    if (token.startsWith('/')) out.push(token);
    else {
      const base = out[out.length - 1];
      assert.ok(base, `"${token}" in "${cell}" follows a full address`);
      out.push(base.slice(0, base.lastIndexOf('/') + 1) + token);
    }
  }
  return out;
}

/** An arguments cell in signatureOf's notation: `` `int t`, `num` (0–1) `` -> `int t, num 0..1`. */
function signatureOfCell(cell: string): string {
  if (cell === 'any') return 'any';
  if (cell === '—') return '';
  const args: string[] = [];
  for (const m of cell.matchAll(/`([^`]+)`(?:\s*\(([^)]*)\))?/g)) {
    let arg = m[1]!;
    const range = m[2]?.split(',')[0]!.replaceAll('\u2212', '-').trim();
    if (range !== undefined) {
      if (range.startsWith('≥')) arg += ` >=${Number(range.slice(1).trim())}`;
      else {
        const [lo, hi] = range.split('\u2013').map((s) => Number(s.trim()));
        arg += ` ${lo}..${hi}`;
      }
    }
    args.push(arg);
  }
  return args.join(', ');
}

function docTable(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [addressCell, argsCell] of docRows(readFileSync(DOC, 'utf8'))) {
    const signature = signatureOfCell(argsCell);
    for (const address of addressesOf(addressCell)) {
      assert.ok(!out.has(address), `${address} appears twice in §2.1`);
      out.set(address, signature);
    }
  }
  return out;
}

describe('§2.1 listener messages: the doc table is the code table', () => {
  it('§2.1 every address in the doc has a row in the code, with the same signature', () => {
    const code = new Map(LISTENER_TABLE.map((r) => [r.address, signatureOf(r)]));
    const doc = docTable();
    assert.ok(doc.size >= 20, `parsed ${doc.size} rows: the doc table was not found or not read`);
    for (const [address, signature] of doc) {
      assert.ok(code.has(address), `${address} is in docs/liveset-osc.md §2.1 but not in src/osc-table.ts`);
      assert.equal(code.get(address), signature, `${address}: signature in the code vs the doc`);
    }
  });

  it('§2.1 every row of the code is in the doc', () => {
    const doc = docTable();
    for (const r of LISTENER_TABLE) assert.ok(doc.has(r.address), `${r.address} is in src/osc-table.ts but not in docs/liveset-osc.md §2.1`);
    assert.equal(new Set(LISTENER_TABLE.map((r) => r.address)).size, LISTENER_TABLE.length, 'no address twice in the code');
  });

  it('§2.1 reads `a` · `b` as two addresses and ranges in the doc notation', () => {
    assert.deepEqual(addressesOf('`/live/track/get/mute` · `solo`'), ['/live/track/get/mute', '/live/track/get/solo']);
    assert.deepEqual(addressesOf('`/live/song/get/beat`, `/live/song/beat`'), ['/live/song/get/beat', '/live/song/beat']);
    assert.equal(signatureOfCell('`int t`, `num` (\u22121\u20131)'), 'int t, num -1..1');
    assert.equal(signatureOfCell('`num` (≥ 0, beats)'), 'num >=0');
    assert.equal(signatureOfCell('`int t`, `int` (0\u20130xFFFFFF)'), 'int t, int 0..16777215');
  });
});

describe('§5 drops: the generic checker', () => {
  const row = (address: string) => LISTENER_TABLE.find((r) => r.address === address)!.args!;
  const a = new CheckedArgs();

  it('§5 OSC_BAD_ARGS for a wrong count or type, OSC_BAD_VALUE for a value outside the row range', () => {
    assert.equal(a.check(row('/live/track/get/volume'), [int(0)]), 'OSC_BAD_ARGS');
    assert.equal(a.check(row('/live/track/get/volume'), [int(0), float(0.5), float(0.5)]), 'OSC_BAD_ARGS');
    assert.equal(a.check(row('/live/track/get/volume'), [float(0.5), float(0.5)]), 'OSC_BAD_ARGS', 'an index must be integral');
    assert.equal(a.check(row('/live/track/get/name'), [int(0), int(5)]), 'OSC_BAD_ARGS');
    assert.equal(a.check(row('/live/track/get/volume'), [int(0), float(1.5)]), 'OSC_BAD_VALUE');
    assert.equal(a.check(row('/live/track/get/color'), [int(0), int(0x1000000)]), 'OSC_BAD_VALUE');
    assert.equal(a.check(row('/live/song/get/current_song_time'), [float(-0.5)]), 'OSC_BAD_VALUE');
    assert.equal(a.check(row('/live/song/get/tempo'), [{ type: 'f', value: Number.NaN }]), 'OSC_BAD_ARGS');
  });

  it('§5 types are checked before ranges: one fault of each is OSC_BAD_ARGS, in either order', () => {
    // Every §2.1 row has its ranged value last, so the signature is put together here.
    const volume = row('/live/track/get/volume')[1]!;
    const name = row('/live/track/get/name')[1]!;
    assert.equal(a.check([volume, name], [float(1.5), int(5)]), 'OSC_BAD_ARGS', 'range fault first');
    assert.equal(a.check([name, volume], [int(5), float(1.5)]), 'OSC_BAD_ARGS', 'type fault first');
    assert.equal(a.check([volume, name], [float(1.5), str('x')]), 'OSC_BAD_VALUE');
  });

  it('§2 accepted values come out typed, by position (int from a float, bool from T/F or a number)', () => {
    assert.equal(a.check(row('/live/device/get/parameter/value'), [float(2), int(0), int(1), float(0.25)]), null);
    assert.deepEqual([a.int(0), a.int(1), a.int(2), a.num(3)], [2, 0, 1, 0.25]);
    assert.equal(a.check(row('/live/track/get/mute'), [int(1), bool(true)]), null);
    assert.deepEqual([a.int(0), a.bool(1)], [1, true]);
    assert.equal(a.check(row('/live/track/get/solo'), [int(1), int(0)]), null);
    assert.deepEqual([a.int(0), a.bool(1)], [1, false]);
    assert.equal(a.check(row('/live/track/get/name'), [int(3), str('Bass\u0007')]), null);
    assert.deepEqual([a.int(0), a.text(1)], [3, 'Bass']);
    assert.equal(a.check(row('/live/track/get/volume'), [int(0), float(1 + 1e-7)]), null, 'float32 rounding slack');
    assert.equal(a.check(row('/live/song/get/beat'), [float(2 ** 40)]), null, 'an integer past 32 bits');
    assert.equal(a.int(0), 2 ** 40);
    assert.equal(a.check(row('/live/track/get/mute'), [int(7), bool(true)]), null);
    assert.deepEqual([a.int(0), a.bool(1)], [7, true], 'and small ones after it');
  });

  it('§2.1 a handler reads each position as its kind (checked by the type checker)', () => {
    const read = (x: Args<readonly [ArgSpec<'int'>, ArgSpec<'text'>, ArgSpec<'bool'>]>) => {
      // @ts-expect-error position 1 is text, not int
      x.int(1);
      // @ts-expect-error position 0 is int, not num
      x.num(0);
      return [x.int(0), x.text(1), x.bool(2)] as const;
    };
    assert.equal(
      a.check([row('/live/track/get/name')[0]!, row('/live/track/get/name')[1]!, row('/live/track/get/mute')[1]!], [int(4), str('A'), bool(false)]),
      null,
    );
    assert.deepEqual(read(a), [4, 'A', false]);
  });
});
