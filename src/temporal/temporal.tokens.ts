/** Injection token of the shared @temporalio/client Client. */
export const TEMPORAL_CLIENT = Symbol('TEMPORAL_CLIENT');
