import { readFileSync } from 'node:fs';
import { ConfigError, EnvSchema, loadConfig } from '../../src/config/config.js';

describe(loadConfig.name, () => {
  it('applies defaults and starts embedded servers when no addresses are given', () => {
    const config = loadConfig({}, '/srv/fabu');
    expect(config.env).toMatchObject({ PORT: 3000, TEMPORAL_NAMESPACE: 'default', AUTH_MODE: 'dev' });
    expect(config.embedded).toEqual({ temporal: true, postgres: true });
    expect(config.dataDir).toBe('/srv/fabu/.data');
  });

  it('uses a given cluster and database instead of embedded ones', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', DATABASE_URL: 'postgres://u:p@db/fabu' });
    expect(config.embedded).toEqual({ temporal: false, postgres: false });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: '' }).embedded.temporal).toBe(true);
  });

  it('fails naming every bad variable when values are invalid', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', TEMPORAL_ADDRESS: 'no-port', BUSINESS_DAY_END: '25:00' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
        'BUSINESS_DAY_END',
        'PORT',
        'TEMPORAL_ADDRESS',
      ]);
    }
  });

  it('requires a JWKS URL when tokens come from an OIDC provider', () => {
    expect(() => loadConfig({ AUTH_MODE: 'oidc' })).toThrow(/AUTH_JWKS_URL/);
  });

  it('documents every variable in the README configuration table', () => {
    const readme = readFileSync('README.md', 'utf8');
    const missing = Object.keys(EnvSchema.shape).filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });
});
