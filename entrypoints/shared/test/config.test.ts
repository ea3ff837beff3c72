import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../config.ts';

describe('configuration from the environment', () => {
  test('defaults for everything unset', () => {
    expect(loadConfig({})).toMatchObject({
      PORT_APP: 8000,
      PORT: 8080,
      TABLE_NAME: 'picus_data',
      AWS_REGION: 'us-east-1',
      PICUS_STORE: 'dynamodb',
      LOG_LEVEL: 'info',
      APP_METRICS: 'emf',
      SHUTDOWN_TIMEOUT_MS: 20_000,
      SHUTDOWN_NOTICE_MS: 0,
      DYNAMODB_TIMEOUT_MS: 1_000,
      DYNAMODB_MAX_ATTEMPTS: 3,
      DATA_DIR: '.data',
      AUTH_MODE: 'jwt',
    });
    const config = loadConfig({});
    expect(config.HOST).toBeUndefined();
    expect(config.CORS_ALLOWED_ORIGINS).toBeUndefined();
  });

  test('numbers from text; an empty AUTH_AUDIENCE is none; CORS origins parsed', () => {
    const config = loadConfig({
      PORT_APP: '0',
      DYNAMODB_MAX_ATTEMPTS: '5',
      AUTH_AUDIENCE: '',
      CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173',
      APP_METRICS: 'off',
    });
    expect(config.PORT_APP).toBe(0);
    expect(config.DYNAMODB_MAX_ATTEMPTS).toBe(5);
    expect(config.AUTH_AUDIENCE).toBeUndefined();
    expect(config.APP_METRICS).toBe('off');
    expect(config.CORS_ALLOWED_ORIGINS).toEqual({
      origins: new Set(['https://app.example.com', 'http://localhost:5173']),
    });
  });

  test.each([
    ['PORT_APP', '70000'],
    ['PORT', 'http'],
    ['DYNAMODB_MAX_ATTEMPTS', '11'],
    ['SHUTDOWN_TIMEOUT_MS', '0'],
    ['LOG_LEVEL', 'verbose'],
    ['APP_METRICS', 'on'],
    ['AUTH_MODE', 'off'],
    ['AUTH_ISSUER', 'not a url'],
    ['TABLE_NAME', 'a b'],
    ['CORS_ALLOWED_ORIGINS', 'https://app.example.com/path'],
  ])('a bad %s (%p) stops the process with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
  });
});
