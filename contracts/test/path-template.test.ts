import { expect, test } from 'bun:test';
import { operationList } from '../operations.ts';
import { templateMatcher, templatePattern } from '../path-template.ts';

const PATHS = [
  '/',
  '',
  '/health',
  '/health/',
  '/ready',
  '/picus',
  '/picus/',
  '/picus/list',
  '/picus/list/',
  '/picus/put',
  '/picus/get',
  '/picus/get/',
  '/picus/get/abc',
  '/picus/get/abc/',
  '/picus/get/a%2Fb',
  '/picus/get/abc/def',
  '/picus/abc',
  '/picus/abc/def',
  '/picus//',
  '//picus/get/x',
];

test('the fast matcher answers as the template’s regular expression, for every template', () => {
  for (const template of [...operationList.map((op) => op.path), '/a/{x}/b', '/{x}/{y}', '/plain']) {
    const [fast, reference] = [templateMatcher(template), templatePattern(template)];
    for (const path of PATHS) expect(fast(path), `${template} ~ ${path}`).toBe(reference.test(path));
  }
});
