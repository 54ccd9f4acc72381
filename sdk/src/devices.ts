/**
 * The registry's devices with their staking pools, for lists (explorer, matching): every device
 * in one `getProgramAccounts` and every stake pool in another, joined on the pool's device and
 * operator (the pool's seeds), so no per-row request is made. Browser-safe.
 */
import { PublicKey } from "@solana/web3.js";
import type { Commitment, Connection, GetProgramAccountsFilter } from "@solana/web3.js";

import { REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID } from "./constants.js";
import type { MarketDevice } from "./market.js";
import { decodeDevice, deviceSizeFilter, deviceStatusName } from "./registry.js";
import type { Device } from "./registry.js";
import {
  decodeStakePool,
  deviceMinimumStake,
  poolQualifyingStake,
  stakingCoder,
} from "./staking.js";
import type { MinimumStakeRules } from "./market.js";
import type { StakePool } from "./staking.js";

/** `memcmp` filter: accounts with the `StakePool` discriminator. */
export function stakePoolDiscriminatorFilter(): GetProgramAccountsFilter {
  const { offset, bytes } = stakingCoder().accounts.memcmp("stakePool") as {
    offset: number;
    bytes: string;
  };
  return { memcmp: { offset, bytes } };
}

/**
 * `devices` each with its operator's pool from `pools` (the pool whose `device` is the device's
 * address and whose `operator` is its owner, as `["pool", device, owner]` derives it), or `null`.
 * Keeps the devices' order.
 */
export function joinDevicePools(
  devices: readonly { address: PublicKey; device: Device }[],
  pools: readonly StakePool[],
): MarketDevice[] {
  const byKey = new Map<string, StakePool>();
  for (const pool of pools)
    byKey.set(`${pool.device.toBase58()}/${pool.operator.toBase58()}`, pool);
  return devices.map(({ address, device }) => ({
    address,
    device,
    pool: byKey.get(`${address.toBase58()}/${device.owner.toBase58()}`) ?? null,
  }));
}

/** Every registered device with its stake pool, from two `getProgramAccounts`. */
export async function fetchMarketDevices(
  connection: Connection,
  options: { commitment?: Commitment; registry?: PublicKey; staking?: PublicKey } = {},
): Promise<MarketDevice[]> {
  const commitment = options.commitment ?? "confirmed";
  const [deviceAccounts, poolAccounts] = await Promise.all([
    connection.getProgramAccounts(options.registry ?? REGISTRY_PROGRAM_ID, {
      commitment,
      filters: [deviceSizeFilter()],
    }),
    connection.getProgramAccounts(options.staking ?? STAKING_PROGRAM_ID, {
      commitment,
      filters: [stakePoolDiscriminatorFilter()],
    }),
  ]);
  const devices = deviceAccounts.map(({ pubkey, account }) => ({
    address: pubkey,
    device: decodeDevice(account.data),
  }));
  return joinDevicePools(
    devices,
    poolAccounts.map(({ account }) => decodeStakePool(account.data)),
  );
}

/** A device's state as lists show it: locked to a reservation, else its registry status. */
export type DeviceListStatus = "reserved" | "active" | "paused";

export function deviceListStatus(device: Pick<Device, "reservation" | "status">): DeviceListStatus {
  if (!device.reservation.equals(PublicKey.default)) return "reserved";
  return deviceStatusName(device.status);
}

/** The stake that counts toward a device's minimum, and that minimum, in IO base units. */
export function deviceStake(
  d: Pick<MarketDevice, "device" | "pool">,
  rules: MinimumStakeRules,
): { qualifying: bigint; minimum: bigint; met: boolean } {
  const qualifying = d.pool ? poolQualifyingStake(d.pool) : 0n;
  const minimum = deviceMinimumStake(rules, d.device.gpuModel, d.device.specs.gpuCount);
  return { qualifying, minimum, met: qualifying >= minimum };
}
