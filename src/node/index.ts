/**
 * `descent-autodiff/node`: what needs Node.js (the file system). The core
 * entry runs in browsers too; checkpoint files are written and read here.
 */
export { readCheckpointFile, writeCheckpointFile } from '../io/checkpoint.js'
