/** Public surface of the pure regression gate. */
export * from './types.js';
export * from './defaults.js';
export * from './evaluate.js';
export * from './exit-code.js';
export * from './junit.js';
export * from './markdown.js';
export * from './confirm.js';
export * from './headline.js';
export { escapeAttr, escapeText } from './xml.js';
