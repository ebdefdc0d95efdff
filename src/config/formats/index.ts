/**
 * The format registry: how each format is written. Modules load lazily so `endpoints
 * --format dotenv` never loads the XML parser.
 */
import type { FormatName, RenderInput } from './types.js';

export interface FormatModule {
  /** A complete new file. */
  render(input: RenderInput): string;
  /** What stdout shows, when it differs from a new file (appsettings-xml: just the block). */
  renderSnippet?(input: RenderInput): string;
  /** The existing file with only the owned keys changed. */
  merge?(existing: string, input: RenderInput): string;
  /** Parses an existing file without changing it: a ConfigParseError names the line. */
  check?(existing: string): void;
}

export interface FormatInfo {
  /** merge: edit an existing file in place · replace: the file is wholly ours · append: add lines (GitHub outputs). */
  write: 'merge' | 'replace' | 'append';
  load(): Promise<FormatModule>;
}

export const FORMATS: Record<FormatName, FormatInfo> = {
  json: { write: 'replace', load: () => import('./json.js') },
  'appsettings-xml': { write: 'merge', load: () => import('./appsettings-xml.js') },
  'appsettings-json': { write: 'merge', load: () => import('./appsettings-json.js') },
  dotenv: { write: 'merge', load: () => import('./dotenv.js') },
  shell: { write: 'merge', load: () => import('./shell.js') },
  github: { write: 'append', load: () => import('./github.js') },
  url: { write: 'replace', load: () => import('./url.js') },
  stackexchange: { write: 'replace', load: () => import('./stackexchange.js') },
};

export { FORMAT_NAMES, DEFAULT_KEYS, type FormatName, type KeySettings, type RenderInput } from './types.js';
