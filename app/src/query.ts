import { unpackMint } from "@solana/spl-token";
import type { Connection } from "@solana/web3.js";
import {
  REGISTRY_PROGRAM_ID,
  decodeDevice,
  deviceSizeFilter,
  deviceStatusName,
  ioMintPda,
  iosdMintPda,
} from "@iogrid/sdk";
import type { Device } from "@iogrid/sdk";
import { useEffect, useState } from "react";

export interface DeviceRow {
  address: string;
  device: Device;
  status: "active" | "paused";
}

export interface Overview {
  devices: DeviceRow[];
  ioSupply: bigint | null;
  iosdSupply: bigint | null;
}

export type Loadable<T> =
  { state: "loading" } | { state: "error"; error: string } | { state: "ready"; value: T };

/** Every device in one getProgramAccounts and both mints in one getMultipleAccounts. */
export async function fetchOverview(connection: Connection): Promise<Overview> {
  const [accounts, mints] = await Promise.all([
    connection.getProgramAccounts(REGISTRY_PROGRAM_ID, { filters: [deviceSizeFilter()] }),
    connection.getMultipleAccountsInfo([ioMintPda().address, iosdMintPda().address]),
  ]);
  const devices = accounts.map(({ pubkey, account }) => {
    const device = decodeDevice(account.data);
    return { address: pubkey.toBase58(), device, status: deviceStatusName(device.status) };
  });
  const supply = (i: number): bigint | null => {
    const info = mints[i];
    const address = i === 0 ? ioMintPda().address : iosdMintPda().address;
    return info ? unpackMint(address, info, info.owner).supply : null;
  };
  return { devices, ioSupply: supply(0), iosdSupply: supply(1) };
}

/**
 * The overview, cached per connection and refreshed when a registry account changes (one
 * program subscription, not one per row).
 */
export function useOverview(connection: Connection): Loadable<Overview> {
  const [value, setValue] = useState<Loadable<Overview>>({ state: "loading" });
  useEffect(() => {
    let live = true;
    const load = (): void => {
      fetchOverview(connection).then(
        (overview) => live && setValue({ state: "ready", value: overview }),
        (err: unknown) => live && setValue({ state: "error", error: String(err) }),
      );
    };
    load();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sub = connection.onProgramAccountChange(REGISTRY_PROGRAM_ID, () => {
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    return () => {
      live = false;
      clearTimeout(timer);
      void connection.removeProgramAccountChangeListener(sub);
    };
  }, [connection]);
  return value;
}
