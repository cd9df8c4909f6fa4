// FERPlus faces framed as a webcam shows them: shared with the pipeline benchmark.
export * from '../../src/tools/bench/ferplusFrames.js';
