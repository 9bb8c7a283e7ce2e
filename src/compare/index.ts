/** Public surface of the pure comparison layer. */
export * from './types.js';
export * from './cell-key.js';
export * from './group.js';
export * from './row.js';
export * from './delta-ci.js';
export * from './compare-sets.js';
export * from './within-run.js';
export * from './anomalies.js';
