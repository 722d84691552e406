import { describe, expect, test } from 'vitest';
import semver from 'semver';
import { satisfiesSimpleRange } from './version-range.js';

describe('satisfiesSimpleRange agrees with semver on the forms it handles', () => {
  const versions = ['0.0.3', '0.0.4', '0.1.0', '0.1.7', '0.2.0', '1.0.0', '1.2.3', '1.2.9', '1.3.0', '2.0.0', '10.4.1'];
  const ranges = ['^0.1.0', '^0.0.3', '^1.2.3', '~1.2.3', '~0.1.0', '>=1.0.0 <2.0.0', '1.2.3', '=1.2.3', '>0.1.0', '<=1.0.0', '*', '^0.1.0 || ^1.0.0', '>=2.0.0'];
  for (const range of ranges) {
    test(range, () => {
      for (const version of versions) expect(satisfiesSimpleRange(version, range), `${version} in ${range}`).toBe(semver.satisfies(version, range));
    });
  }
  test('anything else is left to semver', () => {
    expect(satisfiesSimpleRange('1.0.0', '1.x')).toBeUndefined();
    expect(satisfiesSimpleRange('1.0.0', '^1')).toBeUndefined();
    expect(satisfiesSimpleRange('1.0.0', '1.0.0 - 2.0.0')).toBeUndefined();
    expect(satisfiesSimpleRange('1.0.0-beta.1', '^1.0.0')).toBeUndefined();
  });
});
