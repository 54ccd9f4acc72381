/**
 * @iogrid/sdk: the one TypeScript package the keeper, agent, app, tests and migrations share.
 * Everything exported here is browser-safe; Node-only helpers live in `@iogrid/sdk/node`.
 */
export * from "./constants.js";
export * from "./deployer.js";
export * from "./seeds.js";
export * from "./pda.js";
export * from "./registry.js";
export * from "./registry/availability.js";
export * from "./registry/assignment.js";
export * from "./probe.js";
export * from "./errors.js";
export * from "./iotoken.js";
export * from "./iotoken/math.js";
export * from "./iotoken/presets.js";
export * from "./staking.js";
export * from "./staking/math.js";
export * from "./staking/accounts.js";
export * from "./staking/changes.js";
export * from "./market.js";
export * from "./market/math.js";
export * from "./market/snapshot.js";
export * from "./bookings.js";
export * from "./devices.js";
export * from "./workload.js";
export * from "./relay.js";
export * from "./registry/link.js";
export * from "./probe-http.js";
export * from "./units.js";
export * from "./explorer.js";
export * from "./receipts.js";
export * from "./earnings.js";
export * from "./telemetry.js";
export * from "./network.js";
