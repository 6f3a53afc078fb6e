// docs/cli.md, @tidewire/cli: the one argument parser (an options table over node:util parseArgs), the usage
// it generates, the one error format (`tidewire <cmd>: <message>` + usage, exit 2; --help exit 0)
// and the validators every command shares.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineCommand, defineGroup, formatUsage, integer, number, oneOf, parseCommandArgs, port, UsageError } from '../src/index.ts';
import type { ArgsSpec, OptionsTable } from '../src/index.ts';

const OPTIONS = {
  out: { type: 'string', value: 'FILE', help: 'the file to write' },
  port: { type: 'string', value: 'N', default: '8080', parse: port(), help: 'HTTP port (default 8080)' },
  mode: { type: 'string', value: 'MODE', parse: oneOf(['fast', 'slow']), help: 'fast or slow' },
  json: { type: 'boolean', short: 'j', help: 'print JSON' },
} as const satisfies OptionsTable;

const SPEC: ArgsSpec<typeof OPTIONS> = { name: 'thing do', options: OPTIONS, positionals: { name: 'FILE', min: 0, max: 1 } };

function sink(): { write(t: string): void; text: string } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

function usageError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: Error) => e instanceof UsageError && message.test(e.message), String(message));
}

describe('§1 parseCommandArgs', () => {
  it('gives typed values: defaults run through their validator, booleans always present', () => {
    const r = parseCommandArgs(SPEC, []);
    assert.notEqual(r, 'help');
    if (r === 'help') return;
    assert.deepEqual(r.values, { out: undefined, port: 8080, mode: undefined, json: false });
    assert.deepEqual(r.positionals, []);
  });

  it('reads --name value, --name=value, short flags and a positional', () => {
    const r = parseCommandArgs(SPEC, ['in.txt', '--out=o.txt', '--port', '0', '-j', '--mode', 'slow']);
    assert.deepEqual(r, { values: { out: 'o.txt', port: 0, mode: 'slow', json: true }, positionals: ['in.txt'] });
  });

  it('reads a default given as a function at parse time (an environment variable)', () => {
    const spec = { name: 'x', options: { port: { type: 'string', default: () => process.env.CLI_TEST_PORT ?? '1', parse: port(), help: '' } } } as const;
    process.env.CLI_TEST_PORT = '4321';
    try {
      assert.deepEqual(parseCommandArgs(spec, []), { values: { port: 4321 }, positionals: [] });
    } finally {
      delete process.env.CLI_TEST_PORT;
    }
  });

  it('returns help for --help or -h anywhere before --', () => {
    assert.equal(parseCommandArgs(SPEC, ['--out', 'x', '--help']), 'help');
    assert.equal(parseCommandArgs(SPEC, ['-h', '--bogus']), 'help');
    assert.deepEqual(parseCommandArgs(SPEC, ['--', '--help']), {
      values: { out: undefined, port: 8080, mode: undefined, json: false },
      positionals: ['--help'],
    });
  });

  it('refuses an unknown option, a missing, empty or repeated value, and a boolean given a value', () => {
    usageError(() => parseCommandArgs(SPEC, ['--bogus']), /^unknown option '--bogus'$/);
    usageError(() => parseCommandArgs(SPEC, ['--out']), /^--out needs a value$/);
    usageError(() => parseCommandArgs(SPEC, ['--out=']), /^--out needs a value$/);
    usageError(() => parseCommandArgs(SPEC, ['--out', '-j']), /^--out needs a value$/);
    usageError(() => parseCommandArgs(SPEC, ['--out', 'a', '--out', 'b']), /^--out given twice$/);
    usageError(() => parseCommandArgs(SPEC, ['--json=yes']), /^--json takes no value$/);
  });

  it('counts positionals against the spec', () => {
    usageError(() => parseCommandArgs(SPEC, ['a', 'b']), /^unexpected argument 'b'$/);
    usageError(() => parseCommandArgs({ name: 'x', options: {} }, ['a']), /^unexpected argument 'a'$/);
    const two = { name: 'x', options: {}, positionals: { name: 'FILE', min: 2, max: 3 } };
    usageError(() => parseCommandArgs(two, ['a']), /^expected 2–3 FILE, got 1$/);
    usageError(() => parseCommandArgs(two, ['a', 'b', 'c', 'd']), /^expected 2–3 FILE, got 4$/);
    assert.deepEqual(parseCommandArgs(two, ['a', 'b']), { values: {}, positionals: ['a', 'b'] });
  });
});

describe('§2 validators', () => {
  it('port: decimal 0–65535 (1–65535 without zero), naming the flag', () => {
    assert.equal(port()('0', '--port'), 0);
    assert.equal(port()('65535', '--port'), 65535);
    for (const bad of ['', '65536', '0x10', '1e3', 'eighty', ' 80']) usageError(() => port()(bad, '--port'), /^--port needs a port number \(0–65535\)/);
    usageError(() => port({ allowZero: false })('0', '--udp'), /^--udp needs a port number \(1–65535\)/);
  });

  it('integer, number and oneOf refuse what is outside, quoting the value', () => {
    assert.equal(integer(0, 10)('10', '--n'), 10);
    usageError(() => integer(0, 10)('11', '--n'), /^--n must be an integer in 0\.\.10, got '11'$/);
    usageError(() => integer(0, 10)('-1', '--n'), /got '-1'/);
    usageError(() => integer(0, 10)('1.5', '--n'), /got '1\.5'/);
    assert.equal(number(0.05, 3600)('0.5', '--gap'), 0.5);
    usageError(() => number(0.05, 3600)('0.01', '--gap'), /^--gap must be a number in 0\.05\.\.3600, got '0\.01'$/);
    usageError(() => number(0, 1)('NaN', '--gap'), /got 'NaN'/);
    assert.equal(oneOf(['a', 'b'])('b', '--m'), 'b');
    usageError(() => oneOf(['a', 'b'])('c', '--m'), /^--m must be a or b, got 'c'$/);
    usageError(() => oneOf(['a', 'b', 'c'])('d', '--m'), /^--m must be one of a, b, c, got 'd'$/);
  });
});

describe('§3 formatUsage', () => {
  it('prints the synopsis, description, an aligned options table with --help, and the footer', () => {
    const text = formatUsage({ ...SPEC, synopsis: ['FILE --out FILE', '--mode MODE'], description: 'Does a thing.', footer: 'environment: X' });
    assert.equal(
      text,
      [
        'usage: tidewire thing do FILE --out FILE',
        '       tidewire thing do --mode MODE',
        '',
        'Does a thing.',
        '',
        'options:',
        '  --out FILE   the file to write',
        '  --port N     HTTP port (default 8080)',
        '  --mode MODE  fast or slow',
        '  -j, --json   print JSON',
        '  -h, --help   print this help',
        '',
        'environment: X',
      ].join('\n'),
    );
  });

  it('generates a synopsis from the table when none is given', () => {
    assert.match(formatUsage(SPEC), /^usage: tidewire thing do \[FILE\] \[--out FILE\] \[--port N\] \[--mode MODE\] \[--json\]\n/);
  });
});

describe('§4 defineCommand', () => {
  function command(out = sink(), err = sink(), ran: unknown[] = []) {
    const c = defineCommand({
      ...SPEC,
      summary: 'does a thing',
      io: { out, err },
      check({ values, positionals }) {
        if (values.mode === 'fast' && values.json) throw new UsageError('--json cannot go fast');
        return { file: positionals[0], ...values };
      },
      async run(input) {
        ran.push(input);
        return 0;
      },
    });
    return { c, out, err, ran };
  }

  it('is named after its last word and passes the checked values to run', async () => {
    const { c, ran } = command();
    assert.equal(c.name, 'do');
    assert.equal(await c.run(['f', '--port', '1']), 0);
    assert.deepEqual(ran, [{ file: 'f', out: undefined, port: 1, mode: undefined, json: false }]);
  });

  it('prints the usage on stdout for --help (exit 0) without running', async () => {
    const { c, out, err, ran } = command();
    assert.equal(await c.run(['--help']), 0);
    assert.equal(out.text, `${c.usage}\n`);
    assert.equal(err.text, '');
    assert.deepEqual(ran, []);
  });

  it('prints `tidewire <cmd>: <message>` then the usage on stderr (exit 2) for parser and check errors', async () => {
    for (const [args, message] of [
      [['--port', 'x'], '--port needs a port number (0–65535), got x'],
      [['--mode', 'fast', '-j'], '--json cannot go fast'],
    ] as const) {
      const { c, out, err, ran } = command();
      assert.equal(await c.run([...args]), 2);
      assert.equal(err.text, `tidewire thing do: ${message}\n${c.usage}\n`);
      assert.equal(out.text, '');
      assert.deepEqual(ran, []);
    }
  });

  it('lets errors other than usage errors through', async () => {
    const c = defineCommand({
      name: 'x',
      summary: '',
      options: {},
      check() {
        throw new Error('bug');
      },
      run: async () => 0,
    });
    await assert.rejects(c.run([]), /bug/);
  });
});

describe('§5 defineGroup', () => {
  const out = sink();
  const err = sink();
  const sub = defineCommand({ name: 'g sub', summary: 'a subcommand', options: {}, io: { out, err }, run: async () => 7 });
  const group = defineGroup({ name: 'g', summary: 'a group', commands: [sub], io: { out, err } });

  it('dispatches to the subcommand with the rest of the arguments', async () => {
    assert.equal(await group.run(['sub']), 7);
  });

  it('lists the commands for --help (exit 0) and on stderr when none is given (exit 2)', async () => {
    out.text = '';
    err.text = '';
    assert.equal(await group.run(['--help']), 0);
    assert.match(out.text, /^usage: tidewire g <command> \[options\]\n\ncommands:\n {2}sub {9}a subcommand\n/);
    assert.equal(await group.run([]), 2);
    assert.equal(err.text, out.text);
  });

  it('refuses an unknown command in the one format (exit 2)', async () => {
    err.text = '';
    assert.equal(await group.run(['launch']), 2);
    assert.equal(err.text, `tidewire g: unknown command 'launch'\n${group.usage}\n`);
  });
});
