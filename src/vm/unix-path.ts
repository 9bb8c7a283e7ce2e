/** sun_path is 108 bytes including the NUL: QEMU says "Path must be less than 108 bytes". */
export const UNIX_PATH_MAX = 108;
