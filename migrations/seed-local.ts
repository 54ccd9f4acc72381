/**
 * Development seeding of a local chain, after `npm run migrate`, idempotent. `npm start` runs it;
 * it refuses any chain that is not iogrid's local chain (a public cluster's genesis hash, an RPC
 * host that is not this machine, or an RPC without the local chain's `localnet_warpClock`).
 *
 *   tsx migrations/seed-local.ts accounts
 *     Keys kept in <IOGRID_LOCAL_DIR>/keys/ (created once): `keeper`, `owner-1`, `owner-2` and
 *     `renter` (the app's local wallet). Each is topped up to its SOL (airdrop) and IO (from the
 *     community genesis allocation, which the migration wallet holds) and the renter to its IOSD
 *     (minted from its IO at the oracle price); the keeper becomes a price updater.
 *
 *   tsx migrations/seed-local.ts stake <owner keypair file> <device address> [...]
 *     Each device's stake pool opened by its owner and self-staked to the device's minimum.
 *
 * Environment: IOGRID_RPC_URL, IOGRID_WS_URL, IOGRID_WALLET and IOGRID_LOCAL_DIR as for the
 * migrations (lib.ts).
 */
import { join } from "node:path";

import { getAccount, getOrCreateAssociatedTokenAccount, transfer } from "@solana/spl-token";
import { LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import type { Connection, Keypair } from "@solana/web3.js";

import {
  IO,
  IOSD_PER_USD,
  decodeTokenConfig,
  iotokenConfigPda,
  iotokenProgram,
  ioMintPda,
  iosdMintPda,
  mintIosdIx,
  stakingProgram,
  updateIotokenConfigIx,
} from "@iogrid/sdk";
import { loadKeypair, loadOrCreateKeypair, sendAndConfirm, stakeToMinimum } from "@iogrid/sdk/node";

import {
  LOCAL_DIR,
  UsageError,
  airdrop,
  connect,
  isLocal,
  loadWallet,
  logger,
  run,
} from "./lib.js";
import type { Log } from "./lib.js";

const log = logger("seed-local");

/** Genesis hashes of the public clusters (mainnet-beta, devnet, testnet): never seeded. */
const PUBLIC_GENESIS: Record<string, string> = {
  "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d": "mainnet-beta",
  EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG: "devnet",
  "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY": "testnet",
};

/** What each local key is topped up to. */
const LOCAL_KEYS = {
  keeper: { sol: 10, io: 2_000n * IO, iosd: 0n },
  "owner-1": { sol: 10, io: 1_000n * IO, iosd: 0n },
  "owner-2": { sol: 10, io: 1_000n * IO, iosd: 0n },
  renter: { sol: 20, io: 10_000n * IO, iosd: 1_000n * IOSD_PER_USD },
} as const;
type LocalKeyName = keyof typeof LOCAL_KEYS;

function localKeyPath(name: LocalKeyName): string {
  return join(LOCAL_DIR, "keys", `${name}.json`);
}

/**
 * Throws unless `rpcUrl` is iogrid's local chain: a loopback host, no public cluster's genesis
 * hash, and the local chain's own `localnet_warpClock` method (asked to move the clock back to 0,
 * which it refuses without changing anything; a validator does not know the method).
 */
async function assertLocalChain(connection: Connection, rpcUrl: string): Promise<string> {
  if (!isLocal(rpcUrl)) throw new UsageError(`refusing to seed ${rpcUrl}: not a local chain`);
  const genesis = await connection.getGenesisHash();
  const cluster = PUBLIC_GENESIS[genesis];
  if (cluster) throw new UsageError(`refusing to seed ${rpcUrl}: it is ${cluster} (${genesis})`);
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "localnet_warpClock", params: [0] }),
  });
  const body = (await response.json()) as { error?: { code: number; message: string } };
  if (!body.error || body.error.code === -32601) {
    throw new UsageError(
      `refusing to seed ${rpcUrl} (genesis ${genesis}): it is not iogrid's local chain (no localnet_warpClock)`,
    );
  }
  return genesis;
}

const units = (amount: bigint, decimals: number): string =>
  (Number(amount) / 10 ** decimals).toLocaleString("en-US");

async function topUpSol(connection: Connection, key: PublicKey, sol: number, log: Log) {
  const balance = await connection.getBalance(key, "confirmed");
  if (balance >= sol * LAMPORTS_PER_SOL) return;
  const lamports = sol * LAMPORTS_PER_SOL - balance;
  await airdrop(connection, key, lamports);
  log(`airdropped ${lamports / LAMPORTS_PER_SOL} SOL to ${key.toBase58()}`);
}

/** `key`'s associated account of `mint` (created by `payer` when missing) and its balance. */
async function tokenAccountOf(
  connection: Connection,
  payer: Keypair,
  mint: PublicKey,
  key: PublicKey,
) {
  const account = await getOrCreateAssociatedTokenAccount(
    connection,
    payer,
    mint,
    key,
    false,
    "confirmed",
  );
  return { address: account.address, amount: account.amount };
}

async function seedAccounts(): Promise<void> {
  const { connection, rpcUrl } = await connect(log);
  const genesis = await assertLocalChain(connection, rpcUrl);
  const { wallet } = loadWallet();
  const community = loadKeypair(join(LOCAL_DIR, "genesis", "community.json")).publicKey;
  const ioMint = ioMintPda().address;
  const iosdMint = iosdMintPda().address;
  const iotoken = iotokenProgram();
  log(
    `local chain ${rpcUrl} (genesis ${genesis}); IO from the community allocation ${community.toBase58()}`,
  );

  for (const [name, target] of Object.entries(LOCAL_KEYS) as [
    LocalKeyName,
    (typeof LOCAL_KEYS)[LocalKeyName],
  ][]) {
    const { keypair, created } = loadOrCreateKeypair(localKeyPath(name));
    const key = keypair.publicKey;
    if (created) log(`generated the ${name} key ${key.toBase58()} (${localKeyPath(name)})`);
    await topUpSol(connection, key, target.sol, log);
    const io = await tokenAccountOf(connection, wallet, ioMint, key);
    if (io.amount < target.io) {
      await transfer(connection, wallet, community, io.address, wallet, target.io - io.amount, [], {
        commitment: "confirmed",
      });
      log(`sent ${units(target.io - io.amount, 8)} IO to ${name} ${key.toBase58()}`);
    }
    if (target.iosd === 0n) continue;
    const iosd = await tokenAccountOf(connection, wallet, iosdMint, key);
    if (iosd.amount >= target.iosd) continue;
    // IOSD has 6 decimals and IO 8: at about 1 USD per IO, 10% more IO than the IOSD lacking.
    const ioAmount = ((target.iosd - iosd.amount) * 100n * 11n) / 10n;
    const ix = await mintIosdIx(iotoken, {
      user: key,
      ioSource: io.address,
      iosdDestination: iosd.address,
      ioAmount,
    });
    await sendAndConfirm(connection, new Transaction().add(ix), [keypair]);
    const after = (await getAccount(connection, iosd.address, "confirmed")).amount;
    log(`minted IOSD for ${name} from ${units(ioAmount, 8)} IO: it holds ${units(after, 6)} IOSD`);
  }

  // The keeper publishes the local price (its price bot) so that IOSD stays mintable.
  const keeper = loadKeypair(localKeyPath("keeper")).publicKey;
  const config = decodeTokenConfig(
    (await connection.getAccountInfo(iotokenConfigPda().address))!.data,
  );
  if (config.priceUpdaters.some((k) => k.equals(keeper))) {
    log("skip price updater: the keeper is one");
  } else if (!config.authority.equals(wallet.publicKey)) {
    log("skip price updater: the wallet is not iotoken's config authority");
  } else {
    const ix = await updateIotokenConfigIx(iotoken, {
      authority: wallet.publicKey,
      priceUpdaters: [...config.priceUpdaters, keeper],
    });
    await sendAndConfirm(connection, new Transaction().add(ix), [wallet]);
    log(`authorised the keeper ${keeper.toBase58()} as price updater`);
  }
}

async function seedStakes(args: string[]): Promise<void> {
  if (args.length === 0 || args.length % 2 !== 0) {
    throw new UsageError("usage: seed-local.ts stake <owner keypair file> <device address> [...]");
  }
  const { connection, rpcUrl } = await connect(log);
  await assertLocalChain(connection, rpcUrl);
  const staking = stakingProgram();
  for (let i = 0; i < args.length; i += 2) {
    const owner = loadKeypair(args[i]!);
    const device = new PublicKey(args[i + 1]!);
    const io = await tokenAccountOf(connection, owner, ioMintPda().address, owner.publicKey);
    const result = await stakeToMinimum(connection, staking, {
      owner,
      device,
      tokenAccount: io.address,
    });
    log(
      result.added === 0n
        ? `skip stake: device ${device.toBase58()} has its minimum ${units(result.minimum, 8)} IO`
        : `staked ${units(result.added, 8)} IO on device ${device.toBase58()} (minimum ${units(result.minimum, 8)} IO${result.opened ? ", pool opened" : ""})`,
    );
  }
}

const [command, ...rest] = process.argv.slice(2);
run("seed-local", async () => {
  if (command === "accounts") return seedAccounts();
  if (command === "stake") return seedStakes(rest);
  throw new UsageError(
    "usage: seed-local.ts accounts | stake <owner keypair file> <device address> [...]",
  );
});
