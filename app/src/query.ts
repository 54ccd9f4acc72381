import { getAssociatedTokenAddressSync, unpackAccount, unpackMint } from "@solana/spl-token";
import { PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Connection } from "@solana/web3.js";
import {
  REGISTRY_PROGRAM_ID,
  STAKING_PROGRAM_ID,
  availabilityEpochAt,
  clockUnixTimestamp,
  configPda,
  decodeDevice,
  decodePriceFeed,
  decodeRegistryConfig,
  decodeStakePool,
  decodeStakingConfig,
  decodeTokenConfig,
  deviceSizeFilter,
  deviceStatusName,
  fetchMarketDevices,
  fetchOwnerPositions,
  fetchProposals,
  fetchVoteRecords,
  ioMintPda,
  iosdMintPda,
  iotokenConfigPda,
  priceFeedPda,
  stakePoolPda,
  stakingConfigPda,
} from "@iogrid/sdk";
import type {
  Addressed,
  Device,
  MarketDevice,
  PriceFeed,
  Proposal,
  RegistryConfig,
  StakePool,
  StakePosition,
  StakingConfig,
  TokenConfig,
  VoteRecord,
} from "@iogrid/sdk";
import { useCallback, useEffect, useState } from "react";

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

/**
 * `load()` as a Loadable, re-run when `deps` change, when `reload()` is called, and (debounced)
 * when an account of one of `programs` changes: one program subscription each, not one per row.
 */
export function useLoad<T>(
  connection: Connection,
  load: () => Promise<T>,
  deps: readonly unknown[],
  programs: readonly PublicKey[] = [],
): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && setValue({ state: "ready", value: v }),
      (err: unknown) => live && setValue({ state: "error", error: String(err) }),
    );
    return () => {
      live = false;
    };
  }, [connection, tick, ...deps]);
  const programKey = programs.map((p) => p.toBase58()).join(",");
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subs = programKey
      .split(",")
      .filter(Boolean)
      .map((program) =>
        connection.onProgramAccountChange(
          new PublicKey(program),
          () => {
            clearTimeout(timer);
            timer = setTimeout(reload, 250);
          },
          "confirmed",
        ),
      );
    return () => {
      clearTimeout(timer);
      for (const sub of subs) void connection.removeProgramAccountChangeListener(sub);
    };
  }, [connection, programKey, reload]);
  return [value, reload];
}

/** What lists, device pages and quotes read: every device with its pool, the configs and time. */
export interface MarketState {
  devices: MarketDevice[];
  stakingConfig: StakingConfig;
  registryConfig: RegistryConfig;
  tokenConfig: TokenConfig;
  priceFeed: PriceFeed;
  /** The chain's clock. */
  now: bigint;
  /** For `matchDevices`: the availability epochs' origin and the chain's time. */
  epoch: { origin: bigint; now: bigint };
  /** The running availability epoch (0 before the origin). */
  runningEpoch: bigint;
}

/** Two getProgramAccounts (devices, stake pools) and one getMultipleAccounts (configs, clock). */
export async function fetchMarketState(connection: Connection): Promise<MarketState> {
  const [devices, infos] = await Promise.all([
    fetchMarketDevices(connection),
    connection.getMultipleAccountsInfo(
      [
        stakingConfigPda().address,
        configPda().address,
        iotokenConfigPda().address,
        priceFeedPda().address,
        SYSVAR_CLOCK_PUBKEY,
      ],
      "confirmed",
    ),
  ]);
  const [staking, registry, token, feed, clock] = infos;
  if (!staking || !registry || !token || !feed || !clock) {
    throw new Error("the programs are not initialised on this cluster");
  }
  const registryConfig = decodeRegistryConfig(registry.data);
  const now = clockUnixTimestamp(clock.data);
  const origin = BigInt(registryConfig.epochOrigin.toString());
  return {
    devices,
    stakingConfig: decodeStakingConfig(staking.data),
    registryConfig,
    tokenConfig: decodeTokenConfig(token.data),
    priceFeed: decodePriceFeed(feed.data),
    now,
    epoch: { origin, now },
    runningEpoch: now >= origin ? availabilityEpochAt(origin, now) : 0n,
  };
}

export const MARKET_PROGRAMS: readonly PublicKey[] = [REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID];

export function useMarketState(connection: Connection): [Loadable<MarketState>, () => void] {
  return useLoad(connection, () => fetchMarketState(connection), [], MARKET_PROGRAMS);
}

/** One pool the Stake page shows: its address, its device (when still registered) and itself. */
export interface StakePoolRow {
  address: PublicKey;
  pool: StakePool;
  device: MarketDevice["device"] | null;
}

/** What the Stake & Govern page reads for `owner`. */
export interface StakeState {
  market: MarketState;
  /** Every pool of a registered device, and any other pool one of `owner`'s positions is in. */
  pools: Map<string, StakePoolRow>;
  positions: Addressed<StakePosition>[];
  proposals: Addressed<Proposal>[];
  /** `owner`'s votes, keyed "<proposal>/<position>". */
  votes: Map<string, VoteRecord>;
  /** IO base units in `owner`'s IO account, null without one. */
  io: bigint | null;
  ioAccount: PublicKey;
}

/**
 * The market state (two getProgramAccounts, one getMultipleAccounts), `owner`'s positions and
 * every proposal (one getProgramAccounts each), then one getMultipleAccounts for `owner`'s IO
 * account and pools not among the devices', and one per 100 (proposal, position) vote records.
 */
export async function fetchStakeState(
  connection: Connection,
  owner: PublicKey,
): Promise<StakeState> {
  const [market, positions, proposals] = await Promise.all([
    fetchMarketState(connection),
    fetchOwnerPositions(connection, owner),
    fetchProposals(connection),
  ]);
  const pools = new Map<string, StakePoolRow>();
  for (const d of market.devices) {
    if (!d.pool) continue;
    const address = stakePoolPda(d.address, d.pool.operator).address;
    pools.set(address.toBase58(), { address, pool: d.pool, device: d.device });
  }
  const missing = [
    ...new Set(positions.map((p) => p.account.pool.toBase58()).filter((k) => !pools.has(k))),
  ].map((k) => new PublicKey(k));
  const ioAccount = getAssociatedTokenAddressSync(ioMintPda().address, owner);
  const [infos, votes] = await Promise.all([
    connection.getMultipleAccountsInfo([ioAccount, ...missing], "confirmed"),
    fetchVoteRecords(
      connection,
      proposals.map((p) => p.address),
      positions.map((p) => p.address),
    ),
  ]);
  const [ioInfo, ...poolInfos] = infos;
  poolInfos.forEach((info, i) => {
    if (info)
      pools.set(missing[i]!.toBase58(), {
        address: missing[i]!,
        pool: decodeStakePool(info.data),
        device: null,
      });
  });
  const io = ioInfo ? unpackAccount(ioAccount, ioInfo, ioInfo.owner).amount : null;
  return { market, pools, positions, proposals, votes, io, ioAccount };
}

export function useStakeState(
  connection: Connection,
  owner: PublicKey,
): [Loadable<StakeState>, () => void] {
  return useLoad(
    connection,
    () => fetchStakeState(connection, owner),
    [owner.toBase58()],
    MARKET_PROGRAMS,
  );
}
