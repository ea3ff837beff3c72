import { describe, expect, test } from 'bun:test';
import { queryOf } from '../query.ts';

describe('queryOf', () => {
  test('no query: no parameters', () => {
    expect({ ...queryOf('http://h/picus/list') }).toEqual({});
  });

  test('values decoded, a repeat kept as the list of its values', () => {
    const query = queryOf('http://h/picus/list?limit=5&cursor=a%2Bb+c&limit=6&limit=7&flag');
    expect({ ...query }).toEqual({ limit: ['5', '6', '7'], cursor: 'a+b c', flag: '' });
  });

  test('__proto__ is a parameter like any other', () => {
    const query = queryOf('/picus/list?__proto__=x&limit=1');
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(Object.entries(query)).toContainEqual(['__proto__', 'x']);
    expect(query.limit).toBe('1');
  });
});
