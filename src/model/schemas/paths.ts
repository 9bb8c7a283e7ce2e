/** Subdirectories of a results directory that stored records point into (layout: src/store/layout.ts). */
export const RAW_FIO_DIR = 'raw';
export const REFERENCE_DIR = 'reference';
