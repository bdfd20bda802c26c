import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatFields, formatTable, formatTimestamp } from './output.js';

describe('formatTable', () => {
  it('aligns columns under their headers', () => {
    const table = formatTable([{ header: 'ID' }, { header: 'NAME' }], [
      ['1', 'alice'],
      ['22', 'bo'],
    ]);

    assert.equal(table, ['ID  NAME', '1   alice', '22  bo', ''].join('\n'));
  });

  it('cuts cells longer than maxWidth', () => {
    const table = formatTable([{ header: 'REASON', maxWidth: 8 }, { header: 'X' }], [['abcdefghij', 'y']]);

    assert.equal(table, ['REASON    X', 'abcdefg…  y', ''].join('\n'));
  });

  it('keeps cells of exactly maxWidth', () => {
    assert.equal(formatTable([{ header: 'A', maxWidth: 3 }], [['abc']]), 'A\nabc\n');
  });

  it('prints empty and missing cells as a dash', () => {
    assert.equal(formatTable([{ header: 'A' }, { header: 'B' }], [['', undefined as unknown as string]]), 'A  B\n-  -\n');
  });

  it('replaces control characters', () => {
    const table = formatTable([{ header: 'REASON' }], [['line one\nline two\u001b[2J\tend']]);

    assert.equal(table, 'REASON\nline one line two [2J end\n');
  });
});

describe('formatFields', () => {
  it('prints one line a field', () => {
    assert.equal(formatFields([['key id', 'abc'], ['reason', 'a\r\nb']]), 'key id: abc\nreason: a b\n');
  });
});

describe('formatTimestamp', () => {
  it('prints UTC to the second', () => {
    assert.equal(formatTimestamp({ seconds: 1_930_367_167, nanos: 999_000_000 }, 'never'), '2031-03-04T05:06:07Z');
  });

  it('prints the absent text for an unset timestamp', () => {
    assert.equal(formatTimestamp(undefined, 'never'), 'never');
  });
});
