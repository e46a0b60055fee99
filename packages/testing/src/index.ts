export * from './emulator/index.js';
export * from './conformance/index.js';
