/** Public surface of the pure statistics layer. */
export * from './descriptive.js';
export * from './median-ci.js';
export * from './bootstrap.js';
export * from '../util/prng.js';
export * from './outliers.js';
export * from './mann-whitney.js';
export * from './min-samples.js';
export * from './min-effect.js';
export * from './multiple.js';
export * from './bimodal.js';
export * from './warnings.js';
export * from './cell-stats.js';
export * from './format.js';
export { erfc, normalCdf, twoSidedNormalP } from './normal.js';
export { exactUDistribution, exactTwoSidedP, exactMinP, choose } from './mwu-exact.js';
export { tiedUDistribution, tiedTwoSidedP, tiedMinP } from './mwu-exact-ties.js';
export { midRanks } from './ranks.js';
export { binomialHalfCdf } from './binomial.js';
