/**
 * Every PDA seed of the registry program, mirrored byte for byte from
 * `programs/registry/src/state/seeds.rs`. Change both files together.
 */

const utf8 = new TextEncoder();

/** `["config"]`: the registry's single configuration account. */
export const CONFIG_SEED: Uint8Array = utf8.encode("config");
/** `["device", sha256(device_id)]`: a registered device. */
export const DEVICE_SEED: Uint8Array = utf8.encode("device");
/** `["keeper", authority]`: a registered keeper. */
export const KEEPER_SEED: Uint8Array = utf8.encode("keeper");
/**
 * `["keeper_bond", keeper]`: the token account holding a keeper's bond; its authority is the
 * keeper PDA, which signs the bond's return.
 */
export const KEEPER_BOND_SEED: Uint8Array = utf8.encode("keeper_bond");
/**
 * `["registry_lock"]` under the market program: the only signer allowed to lock a device for a
 * reservation and release it.
 */
export const MARKET_LOCK_SEED: Uint8Array = utf8.encode("registry_lock");
