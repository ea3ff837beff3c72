import { describe, expect, test } from 'bun:test';
import { allowedMethods } from '../api-resources.ts';
import { pathMatches, routeFor, routingTable } from '../routing.ts';

describe('routing table (ALB listener-rule semantics)', () => {
  test('DELETE /picus/* goes to the Lambda, everything else to the container', () => {
    expect(routeFor('DELETE', '/picus/abc')).toBe('lambda');
    expect(routeFor('DELETE', '/picus/get/abc')).toBe('lambda');
    expect(routeFor('GET', '/picus/abc')).toBe('container');
    expect(routeFor('POST', '/picus/put')).toBe('container');
    expect(routeFor('DELETE', '/health')).toBe('container');
    expect(routeFor('DELETE', '/picus')).toBe('container');
  });

  test('methods and paths match case-sensitively, as ALB does', () => {
    expect(routeFor('delete', '/picus/abc')).toBe('container');
    expect(routeFor('DELETE', '/PICUS/abc')).toBe('container');
  });

  test('wildcards: * any run, ? one character, everything else literal', () => {
    expect(pathMatches('/picus/*', '/picus/')).toBe(true);
    expect(pathMatches('/a?c', '/abc')).toBe(true);
    expect(pathMatches('/a?c', '/ac')).toBe(false);
    expect(pathMatches('/a.c', '/abc')).toBe(false);
    expect(pathMatches('/a+(b)', '/a+(b)')).toBe(true);
  });

  test('lower priority number wins', () => {
    const table = {
      defaultTarget: 'container' as const,
      rules: [
        {
          name: 'late',
          priority: 20,
          methods: ['GET' as const],
          pathPatterns: ['/x'],
          target: 'container' as const,
        },
        {
          name: 'early',
          priority: 5,
          methods: ['GET' as const],
          pathPatterns: ['/*'],
          target: 'lambda' as const,
        },
      ],
    };
    expect(routeFor('GET', '/x', table)).toBe('lambda');
  });

  test('every rule is valid for an ALB listener rule', () => {
    const priorities = routingTable.rules.map((rule) => rule.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    for (const rule of routingTable.rules) {
      expect(rule.priority).toBeGreaterThanOrEqual(1);
      expect(rule.priority).toBeLessThanOrEqual(50_000);
      for (const pattern of rule.pathPatterns) expect(pattern.length).toBeLessThanOrEqual(128);
    }
  });
});

describe('public API resources', () => {
  test('Allow lists every method on a path', () => {
    expect(allowedMethods('/picus/list')).toEqual(['GET', 'DELETE']);
    expect(allowedMethods('/picus/get/x')).toEqual(['GET']);
    expect(allowedMethods('/picus/x')).toEqual(['DELETE']);
    expect(allowedMethods('/nowhere')).toEqual([]);
  });
});
