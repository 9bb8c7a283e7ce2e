/** Diagnostics as Markdown list items: `- **warning:** explanation Hint: what to do`. */
import { explain, hint, severityOf, type Diagnostic } from '../../model/diagnostic.js';
import { escapeMarkdownText } from '../format.js';

export function diagnosticItems(list: readonly Diagnostic[]): string[] {
  return list.map((d) => `- **${severityOf(d)}:** ${escapeMarkdownText(`${explain(d)} Hint: ${hint(d)}`)}`);
}
