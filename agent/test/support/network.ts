/**
 * A whole iogrid network on one local chain for the agent's suites, through the sdk: iotoken at
 * its genesis with the schedule sealed and a price, the registry bonding keepers in IO with
 * availability rewards initialised, staking (the registry and the market as slashers), the market
 * with its USDC stand-in, a bonded test keeper and a renter holding IOSD. Plus what the suites do
 * on it: stake a device an agent registered, book it, probe an agent and attest its probe as a
 * keeper would (the one place the keeper's rules live, `TestKeeper`), and move the clock.
 */
import {
  createAssociatedTokenAccount,
  createMint,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import type { Keypair, PublicKey } from "@solana/web3.js";
import { ComputeBudgetProgram, Transaction } from "@solana/web3.js";
import type { Program } from "@coral-xyz/anchor";

import {
  IO,
  MARKET_PROGRAM_ID,
  REGISTRY_PROGRAM_ID,
  attestAvailability,
  availabilityEpochAt,
  bookDevicesIx,
  bookingPda,
  configPda,
  createReservationIx,
  createTreasuryAccountIx,
  decodeProbeResponse,
  initializeMarketIx,
  initializeRewardsIx,
  initializeStakingIx,
  ioMintPda,
  iosdMintPda,
  marketProgram,
  mintIosdIx,
  parseProbeMessage,
  probeChallenge,
  probeHttpRequest,
  publishPriceIx,
  recentSlotHash,
  keeperPda,
  registerKeeperIx,
  reservationPda,
  setPoolDistributorIx,
  updateConfigIx,
  cancelReservationIx,
  settleBookingsIx,
  STAKING_PROGRAM_ID,
} from "@iogrid/sdk";
import type { Iotoken, Market, Registry, SignedProbe, Staking, WorkloadParams } from "@iogrid/sdk";
import {
  openAvailabilityEpoch,
  programKeypair,
  sendAndConfirm,
  stakeToMinimum,
} from "@iogrid/sdk/node";

import {
  chainTime,
  distinct,
  fundedKeypair,
  sendDistinct,
  warpTo,
} from "../../../tests/support/chain.js";
import { startLocalnet } from "../../../tests/support/localnet.js";
import type { Localnet, LocalnetOptions } from "../../../tests/support/localnet.js";
import {
  fundIo,
  initializeIoBondedRegistry,
  iogridPrograms,
  mintedGenesis,
  sealedSchedule,
  walletProvider,
} from "../../../tests/support/setup.js";

export interface Network {
  net: Localnet;
  admin: Keypair;
  renter: Keypair;
  keeper: TestKeeper;
  /** Every bonded keeper's wallet (the test keeper's first), each bonded 1,000 IO from epoch 0. */
  keeperWallets: Keypair[];
  registry: Program<Registry>;
  iotoken: Program<Iotoken>;
  staking: Program<Staking>;
  market: Program<Market>;
  origin: bigint;
  ioAccount: Map<Keypair, PublicKey>;
  /** IO community allocation the admin funds wallets from. */
  community: PublicKey;
}

/**
 * Starts a chain and brings every program up (about 20 s of transactions), with `keepers`
 * (default 1) keepers bonded before rewards begin, so each weighs in assignments from epoch 0.
 */
export async function startNetwork(
  options: LocalnetOptions & { keepers?: number } = {},
): Promise<Network> {
  const net = await startLocalnet(options);
  const connection = net.connection;
  const admin = await fundedKeypair(connection, 1000);
  const renter = await fundedKeypair(connection, 20);
  const keeperWallets: Keypair[] = [];
  for (let i = 0; i < (options.keepers ?? 1); i++) {
    keeperWallets.push(await fundedKeypair(connection, 10));
  }
  const keeperWallet = keeperWallets[0]!;
  const { registry, iotoken, staking } = iogridPrograms(connection, admin);
  const market = marketProgram(walletProvider(connection, admin));
  const send = (ix: Parameters<typeof sendDistinct>[1], signers: Keypair[]): Promise<string> =>
    sendDistinct(connection, ix, signers);

  const { community } = await mintedGenesis(connection, iotoken, admin, {
    priceUpdaters: [admin.publicKey],
  });
  const origin = await sealedSchedule(connection, iotoken, admin);
  await initializeIoBondedRegistry(connection, registry, admin);
  await send(
    await updateConfigIx(registry, {
      authority: admin.publicKey,
      marketProgram: MARKET_PROGRAM_ID,
    }),
    [admin],
  );
  await send(
    await initializeStakingIx(staking, {
      authority: admin.publicKey,
      deployer: STAKING_PROGRAM_ID,
      slasherPrograms: [REGISTRY_PROGRAM_ID, MARKET_PROGRAM_ID],
    }),
    [admin, programKeypair(STAKING_PROGRAM_ID)],
  );
  for (const pool of ["availability", "keepers"] as const) {
    await send(
      await setPoolDistributorIx(iotoken, {
        authority: admin.publicKey,
        pool,
        program: REGISTRY_PROGRAM_ID,
      }),
      [admin],
    );
  }
  const ioAccount = new Map<Keypair, PublicKey>();
  await fundIo(
    connection,
    admin,
    community,
    [[renter, 20_000n * IO], ...keeperWallets.map((k): [Keypair, bigint] => [k, 1_000n * IO])],
    ioAccount,
  );
  for (const wallet of keeperWallets) {
    await send(
      await registerKeeperIx(registry, {
        authority: wallet.publicKey,
        bondMint: ioMintPda().address,
        bondSource: ioAccount.get(wallet)!,
        bondAmount: 1_000n * IO,
      }),
      [wallet],
    );
  }
  // After the keeper's bond: a bond placed before epochs begin weighs in assignments from epoch 0.
  await send(await initializeRewardsIx(registry, { payer: admin.publicKey }), [admin]);

  const usdcMint = await createMint(connection, admin, admin.publicKey, null, 6);
  for (const mint of [iosdMintPda().address, ioMintPda().address, usdcMint]) {
    await send(await createTreasuryAccountIx(iotoken, { payer: admin.publicKey, mint }), [admin]);
  }
  await send(
    await initializeMarketIx(market, {
      authority: admin.publicKey,
      deployer: MARKET_PROGRAM_ID,
      usdcMint,
      ackGraceSecs: 600n,
      maxReservationHours: 48,
    }),
    [admin, programKeypair(MARKET_PROGRAM_ID)],
  );
  // The renter pays in IOSD, minted from IO at 0.5 USD.
  await send(
    await publishPriceIx(iotoken, {
      updater: admin.publicKey,
      price: 50_000_000n,
      confidence: 100_000n,
      publishTime: BigInt(await chainTime(connection)),
    }),
    [admin],
  );
  const iosd = await createAssociatedTokenAccount(
    connection,
    admin,
    iosdMintPda().address,
    renter.publicKey,
  );
  await send(
    await mintIosdIx(iotoken, {
      user: renter.publicKey,
      ioSource: ioAccount.get(renter)!,
      iosdDestination: iosd,
      ioAmount: 10_000n * IO,
    }),
    [renter],
  );
  return {
    net,
    admin,
    renter,
    keeper: new TestKeeper(net, registry, keeperWallet),
    keeperWallets,
    registry,
    iotoken,
    staking,
    market,
    origin,
    ioAccount,
    community,
  };
}

/** IO for `owner` and its device's stake pool opened and self-staked to the minimum; returns the IO staked. */
export async function stakeDevice(n: Network, owner: Keypair, device: PublicKey): Promise<bigint> {
  const connection = n.net.connection;
  if (!n.ioAccount.has(owner))
    await fundIo(connection, n.admin, n.community, [[owner, 100_000n * IO]], n.ioAccount);
  const { added } = await stakeToMinimum(connection, n.staking, {
    owner,
    device,
    tokenAccount: n.ioAccount.get(owner)!,
  });
  return added;
}

let reservationIds = 1n;

/**
 * `n.renter` reserves `devices` (address and owner) for `hours`, paying IOSD, with `workload`;
 * returns the reservation and its id.
 */
export async function book(
  n: Network,
  devices: { address: PublicKey; owner: PublicKey }[],
  hours: number,
  workload: WorkloadParams,
): Promise<{ reservation: PublicKey; id: bigint; bookings: PublicKey[] }> {
  const connection = n.net.connection;
  const renter = n.renter;
  const id = reservationIds++;
  const paymentMint = iosdMintPda().address;
  await sendDistinct(
    connection,
    await createReservationIx(n.market, {
      renter: renter.publicKey,
      id,
      hours,
      paymentMint,
      workload,
    }),
    [renter],
  );
  const reservation = reservationPda(renter.publicKey, id).address;
  const ix = await bookDevicesIx(n.market, {
    reservation,
    renter: renter.publicKey,
    paymentSource: getAssociatedTokenAddressSync(paymentMint, renter.publicKey),
    devices,
    maxPayment: 1_000_000_000_000n,
  });
  await sendAndConfirm(connection, new Transaction().add(distinct(), ix), [renter]);
  return {
    reservation,
    id,
    bookings: devices.map((d) => bookingPda(reservation, d.address).address),
  };
}

/** The renter cancels `reservation`. */
export async function cancel(n: Network, reservation: PublicKey): Promise<void> {
  await sendDistinct(
    n.net.connection,
    await cancelReservationIx(n.market, { reservation, renter: n.renter.publicKey }),
    [n.renter],
  );
}

/**
 * Settles `reservation`'s bookings of `devices` (anyone may; the admin does it here), creating
 * the owners' and the admin's IOSD accounts when missing.
 */
export async function settle(
  n: Network,
  reservation: PublicKey,
  devices: { address: PublicKey; owner: PublicKey }[],
): Promise<void> {
  const connection = n.net.connection;
  const mint = iosdMintPda().address;
  for (const holder of [n.admin.publicKey, ...devices.map((d) => d.owner)]) {
    const ata = getAssociatedTokenAddressSync(mint, holder, true);
    if (!(await connection.getAccountInfo(ata)))
      await createAssociatedTokenAccount(
        connection,
        n.admin,
        mint,
        holder,
        undefined,
        undefined,
        undefined,
        true,
      );
  }
  const ix = await settleBookingsIx(n.market, {
    reservation,
    settler: n.admin.publicKey,
    tipAccount: getAssociatedTokenAddressSync(mint, n.admin.publicKey),
    renter: n.renter.publicKey,
    paymentMint: mint,
    bookings: devices.map((d) => ({ device: d.address, owner: d.owner })),
  });
  await sendAndConfirm(
    connection,
    new Transaction().add(
      ComputeBudgetProgram.setComputeUnitLimit({ units: 1_399_000 - Number(reservationIds) }),
      ix,
    ),
    [n.admin],
  );
}

/** Moves the chain's clock `seconds` ahead. */
export async function warpBy(n: Network, seconds: number): Promise<void> {
  const now = BigInt(await chainTime(n.net.connection));
  await warpTo(n.net.connection, n.net.rpcUrl, now + BigInt(seconds));
}

/** An agent's answer to a probe request: the HTTP status and body. */
export interface ProbeAnswer {
  status: number;
  body: { error?: string; reason?: string } & Record<string, unknown>;
}

/**
 * The keeper as the tests play it: asks an agent's probe server for a probe over HTTP, checks the
 * signed message against its own challenge, and attests it with the sdk. When attestation rules
 * change (keepers assigned per device and epoch), this is the one place to adapt.
 */
export class TestKeeper {
  constructor(
    private readonly net: Localnet,
    private readonly registry: Program<Registry>,
    readonly wallet: Keypair,
  ) {}

  /** The chain's current availability epoch. */
  async epoch(): Promise<bigint> {
    const config = await this.registry.account.registryConfig.fetch(configPda().address);
    return availabilityEpochAt(
      BigInt(config.epochOrigin.toString()),
      BigInt(await chainTime(this.net.connection)),
    );
  }

  /** POSTs a raw body to `<endpoint>/v1/probe`. */
  async post(endpoint: string, body: unknown): Promise<ProbeAnswer> {
    const res = await fetch(`${endpoint.replace(/\/$/, "")}/v1/probe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json()) as ProbeAnswer["body"] };
  }

  /** A valid request for `device` now: the newest slot, the current epoch, this keeper. */
  async request(
    device: PublicKey,
    override: Partial<Record<"device" | "epoch" | "slot" | "keeper", string>> = {},
  ) {
    const { slot } = await recentSlotHash(this.net.connection);
    return {
      ...probeHttpRequest({
        device,
        epoch: await this.epoch(),
        slot,
        keeper: this.wallet.publicKey,
      }),
      ...override,
    };
  }

  /** Probes `device` at `endpoint`; throws unless the agent answers a probe this keeper can attest. */
  async probe(endpoint: string, device: PublicKey): Promise<SignedProbe> {
    const body = await this.request(device);
    const answer = await this.post(endpoint, body);
    if (answer.status !== 200)
      throw new Error(`probe refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    const probe = decodeProbeResponse(answer.body);
    const message = parseProbeMessage(probe.message);
    const { fetchSlotHashes } = await import("@iogrid/sdk");
    const hash = (await fetchSlotHashes(this.net.connection)).find(
      (e) => e.slot === BigInt(body.slot),
    )?.hash;
    if (!hash) throw new Error("the probed slot left SlotHashes");
    const expected = probeChallenge(
      device,
      BigInt(body.epoch),
      BigInt(body.slot),
      hash,
      keeperPda(this.wallet.publicKey).address,
    );
    if (
      !message.device.equals(device) ||
      Buffer.compare(Buffer.from(message.challenge), Buffer.from(expected)) !== 0
    ) {
      throw new Error("the agent's probe does not answer this keeper's challenge");
    }
    return probe;
  }

  /**
   * Attests `probe` of `device` owned by `owner` in the probe's epoch, opening the epoch's record
   * and fixing its seed first (this keeper is the only one bonded, so it is assigned every device
   * registered before the seed slot); returns the signature.
   */
  async attest(probe: SignedProbe, owner: PublicKey): Promise<string> {
    const { epoch } = parseProbeMessage(probe.message);
    await openAvailabilityEpoch(this.net.connection, this.registry, this.wallet, epoch);
    const ixs = await attestAvailability(this.registry, {
      authority: this.wallet.publicKey,
      devices: [{ probe, owner }],
    });
    return sendAndConfirm(this.net.connection, new Transaction().add(distinct(), ...ixs), [
      this.wallet,
    ]);
  }
}
