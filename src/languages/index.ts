// Public surface of the languages module: catalogue data, detection and lookup.
export { CATALOGUE } from './catalogue.js';
export { detectLanguage, detectLanguages, parseVersion, requiredTools, SYSTEM_PATH, type CommandOutcome, type CommandRunner, type DetectOptions } from './detect.js';
export { findLanguage, languageForFile } from './lookup.js';
export type { LanguageDefinition, LanguageStatus, SupportFile } from './language.js';
