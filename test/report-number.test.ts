// Counts in the human report and on stderr: the hand-written separator formatting writes
// what toLocaleString('en-US') writes (which the program avoids: it loads ICU's data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thousands } from '../src/report/number.js';

const VALUES = [0, 1, 12, 123, 999, 1000, 1001, 12345, 123456, 999999, 1000000, 1234567, 462400, 13320, 4294967295, 2 ** 53 - 1, -1, -1234, -999999, 1.5, 1234.5678, 0.0004, 99999.9996, -0.25, Infinity, -Infinity, NaN];

test('thousands() writes what toLocaleString("en-US") writes', () => {
  for (const v of VALUES) assert.equal(thousands(v), v.toLocaleString('en-US'), String(v));
});
