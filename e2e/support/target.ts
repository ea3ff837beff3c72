/**
 * Which kind of target the suite runs against. BASE_URL unset: the local stack
 * playwright.config.ts starts. BASE_URL on a loopback host: something this machine runs (the
 * compiled binary in scripts/test). Anything else is a deployment, where responses can hold
 * other people's data: no traces or screenshots are written, and failure messages leave out
 * response bodies that are not problem documents.
 */
export const BASE_URL = process.env.BASE_URL?.replace(/\/+$/, '');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const DEPLOYMENT_TARGET = BASE_URL !== undefined && !LOOPBACK.has(new URL(BASE_URL).hostname);
