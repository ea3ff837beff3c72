/**
 * The origin the local stack the suite starts allows (CORS_ALLOWED_ORIGINS), for
 * e2e/cors.browser.spec.ts: a single-page app's dev server, as a developer would run one. It is
 * on loopback like the stack, since Chromium refuses a public, non-secure page any request to
 * loopback (Private Network Access) whatever CORS says.
 */
export const LOCAL_CORS_ORIGIN = 'http://localhost:5173';
