/** Devices registered (and staked, unless asked not to) on a test network, as suppliers would. */
import { Keypair } from "@solana/web3.js";
import type { PublicKey } from "@solana/web3.js";
import { BANDWIDTH_TIER, devicePda, registerDeviceIx } from "@iogrid/sdk";
import type { DeviceSpecs } from "@iogrid/sdk";

import { fundedKeypair, sendDistinct } from "../../../tests/support/chain.js";
import { stakeDevice } from "../../../agent/test/support/network.js";
import type { Network } from "../../../agent/test/support/network.js";

export interface SeededDevice {
  address: PublicKey;
  owner: Keypair;
  agent: Keypair;
}

export interface DeviceSeed {
  name: string;
  gpuModel: string;
  region: string;
  /** IOSD base units per GPU-hour. */
  price: bigint;
  gpuCount?: number;
  vramMib?: number;
  /** Leave the device without stake (it cannot be booked). */
  unstaked?: boolean;
}

/** Registers `seed` with a fresh owner and agent and stakes it to its minimum. */
export async function seedDevice(n: Network, seed: DeviceSeed): Promise<SeededDevice> {
  const connection = n.net.connection;
  const owner = await fundedKeypair(connection, 5);
  const agent = Keypair.generate();
  const deviceId = `${seed.name}-${owner.publicKey.toBase58().slice(0, 8)}`;
  const specs: DeviceSpecs = {
    gpuCount: seed.gpuCount ?? 1,
    vramMib: seed.vramMib ?? 81_920,
    cpuCores: 32,
    ramMib: 262_144,
    storageGib: 2_000,
    bandwidthTier: BANDWIDTH_TIER.high,
  };
  await sendDistinct(
    connection,
    await registerDeviceIx(n.registry, {
      owner: owner.publicKey,
      deviceId,
      name: seed.name,
      gpuModel: seed.gpuModel,
      region: seed.region,
      specs,
      pricePerGpuHour: seed.price,
      agent: agent.publicKey,
      endpoint: "http://127.0.0.1:9",
    }),
    [owner, agent],
  );
  const address = devicePda(deviceId).address;
  if (!seed.unstaked) await stakeDevice(n, owner, address);
  return { address, owner, agent };
}
