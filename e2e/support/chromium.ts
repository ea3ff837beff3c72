import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH; Playwright's own downloads are not used. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** On CI a missing browser is a failure; elsewhere the browser tests are skipped, saying why. */
export const CHROMIUM_MISSING =
  !existsSync(CHROMIUM_PATH) && !process.env.CI
    ? `no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`
    : undefined;
