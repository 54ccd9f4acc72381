/**
 * The registry's devices as a keeper follows them: listed once with `getProgramAccounts` (the
 * device accounts by size), then kept current by a program-account subscription with the same
 * filter, and listed again every `refreshMs` in case the websocket missed something. Reads are
 * served from memory, so a tick costs no listing.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { PublicKey } from "@solana/web3.js";

import { REGISTRY_PROGRAM_ID, decodeDevice, deviceSizeFilter } from "@iogrid/sdk";
import type { Device } from "@iogrid/sdk";
import { errorText } from "@iogrid/sdk/node";

import type { KeeperContext } from "./context.js";

export interface DeviceEntry {
  address: PublicKey;
  device: Device;
  /** `device.registeredSlot` as a bigint (what assignment reads). */
  registeredSlot: bigint;
}

function entry(address: PublicKey, data: Uint8Array): DeviceEntry | undefined {
  try {
    const device = decodeDevice(data);
    return { address, device, registeredSlot: BigInt(device.registeredSlot.toString()) };
  } catch {
    return undefined; // a closed account's notification, or not a device
  }
}

export class DeviceIndex {
  private readonly devices = new Map<string, DeviceEntry>();
  private listedAt = 0;
  private subscription: number | undefined;

  constructor(
    private readonly ctx: KeeperContext,
    private readonly refreshMs: number,
  ) {}

  /** Lists every device and subscribes to their changes. */
  async init(): Promise<void> {
    await this.list();
    if (this.subscription === undefined) {
      this.subscription = this.ctx.connection.onProgramAccountChange(
        REGISTRY_PROGRAM_ID,
        ({ accountId, accountInfo }) => {
          if (accountInfo.data.length === 0) {
            this.devices.delete(accountId.toBase58());
            return;
          }
          const e = entry(accountId, accountInfo.data);
          if (e) this.devices.set(accountId.toBase58(), e);
        },
        { commitment: this.ctx.commitment, filters: [deviceSizeFilter()] },
      );
    }
  }

  /** Lists again when the last listing is older than `refreshMs`. */
  async refreshIfStale(): Promise<void> {
    if (Date.now() - this.listedAt >= this.refreshMs) await this.list();
  }

  /** Every device as last seen. */
  all(): DeviceEntry[] {
    return [...this.devices.values()];
  }

  /** Re-reads `addresses` now (before a decision that must not rest on a stale copy). */
  async reread(addresses: readonly PublicKey[]): Promise<DeviceEntry[]> {
    const fresh: DeviceEntry[] = [];
    for (let i = 0; i < addresses.length; i += 100) {
      const chunk = addresses.slice(i, i + 100);
      const infos = await this.ctx.connection.getMultipleAccountsInfo(chunk, this.ctx.commitment);
      infos.forEach((info, n) => {
        const key = chunk[n]!.toBase58();
        const e =
          info && info.owner.equals(REGISTRY_PROGRAM_ID) ? entry(chunk[n]!, info.data) : undefined;
        if (e) {
          this.devices.set(key, e);
          fresh.push(e);
        } else {
          this.devices.delete(key);
        }
      });
    }
    return fresh;
  }

  async close(): Promise<void> {
    if (this.subscription !== undefined) {
      const id = this.subscription;
      this.subscription = undefined;
      await this.ctx.connection.removeProgramAccountChangeListener(id).catch((error: unknown) => {
        this.ctx.log.debug("device subscription already gone", { error: errorText(error) });
      });
      // web3.js sends the unsubscribe on its own schedule; closing the socket before it went
      // out makes web3.js log the failed call again and again.
      await sleep(250);
    }
  }

  private async list(): Promise<void> {
    const accounts = await this.ctx.connection.getProgramAccounts(REGISTRY_PROGRAM_ID, {
      commitment: this.ctx.commitment,
      filters: [deviceSizeFilter()],
    });
    this.devices.clear();
    for (const { pubkey, account } of accounts) {
      const e = entry(new PublicKey(pubkey), account.data);
      if (e) this.devices.set(pubkey.toBase58(), e);
    }
    this.listedAt = Date.now();
  }
}
