// The worker bundles this file: every workflow fabu runs is exported here.
export { approvalProcess } from './approval-process.js';
