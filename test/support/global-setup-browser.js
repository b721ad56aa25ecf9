// Browser tier: what the e2e tier needs (the Temporal binaries), the console built into
// dist/console (the app serves it from there), and a real Chromium: Debian's package, driven by
// playwright-core, which never downloads a browser of its own.
import { accessSync, constants } from 'node:fs';
import { buildConsole } from './global-setup-e2e.js';
import temporalSetup from './global-setup.js';

export default function globalSetup() {
  temporalSetup();
  buildConsole();
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    throw new Error(
      `No Chromium at ${chromium}: install it with \`apt-get install -y chromium fonts-noto-cjk\` ` +
        '(.ci/run does) or point CHROMIUM_PATH at one.',
    );
  }
  process.env.CHROMIUM_PATH = chromium;
}
