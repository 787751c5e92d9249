// Public surface of the config module.
export { loadConfig, type LoadConfigOptions } from './loader.js';
export { ConfigSchema, type Config } from './schema.js';
