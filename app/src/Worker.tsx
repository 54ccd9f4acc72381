/**
 * The supplier's side: the connected wallet's devices (one getProgramAccounts filtered on the
 * owner, their stake pools, the staking config and the closed availability epochs they earned in
 * from one getMultipleAccounts), with rename, pause/resume, price, deregister and claim; and the
 * add-device page the agent's `register --print-link` link opens. Each device opens onto its
 * earnings, jobs, uptime and profitability, and its telemetry through the relay (`Earnings.tsx`).
 */
import { useConnection } from "@solana/wallet-adapter-react";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { ComputeBudgetProgram, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import type { Connection, TransactionInstruction } from "@solana/web3.js";
import {
  IOSD_DECIMALS,
  REGISTRY_PROGRAM_ID,
  STAKING_PROGRAM_ID,
  availabilityEpochPda,
  claimAvailabilityRewardsIx,
  claimableEarnings,
  decodeAvailabilityEpoch,
  decodeDevice,
  decodeStakePool,
  decodeStakingConfig,
  deregisterDeviceIx,
  deviceListStatus,
  deviceOwnerFilter,
  deviceSizeFilter,
  deviceStake,
  ioMintPda,
  parseAddDeviceLink,
  pauseDeviceIx,
  registerDeviceIx,
  registryProgram,
  renameDeviceIx,
  resumeDeviceIx,
  setEndpointIx,
  stakePoolPda,
  stakingConfigPda,
  unsettledEpochs,
  updateDeviceIx,
} from "@iogrid/sdk";
import type { AddDeviceLink, AvailabilityEpoch, Device, DeviceListStatus } from "@iogrid/sdk";
import { Buffer } from "buffer";
import { useMemo, useState } from "react";
import type { FormEvent, ReactElement } from "react";
import type { Cluster } from "./cluster.js";
import { formatBps, formatIo, formatIosd } from "./deviceList.js";
import { big, formatUnits, parseUnits } from "./format.js";
import { DeviceEarnings, TelemetryCharts } from "./Earnings.js";
import { useLoad } from "./query.js";
import { TxStatusView, useSendTransaction } from "./tx.js";
import { LoadState, Stat } from "./ui.js";
import { useSigner } from "./wallet.js";

const WORKER_PROGRAMS: readonly PublicKey[] = [REGISTRY_PROGRAM_ID, STAKING_PROGRAM_ID];

export interface OwnedDevice {
  address: PublicKey;
  device: Device;
  status: DeviceListStatus;
  stake: { qualifying: bigint; minimum: bigint; met: boolean } | null;
  /** IO base units the owner can claim now (closed epochs settled). */
  claimable: bigint;
  /** The unsettled epochs whose records are closed (passed with a claim). */
  closedEpochs: bigint[];
}

/**
 * The owner's devices: one getProgramAccounts (owner memcmp), then one getMultipleAccounts for
 * their stake pools, the staking config and the availability epochs they have unsettled.
 */
export async function fetchOwnedDevices(
  connection: Connection,
  owner: PublicKey,
): Promise<OwnedDevice[]> {
  const accounts = await connection.getProgramAccounts(REGISTRY_PROGRAM_ID, {
    commitment: "confirmed",
    filters: [deviceSizeFilter(), deviceOwnerFilter(owner)],
  });
  const devices = accounts
    .map(({ pubkey, account }) => ({ address: pubkey, device: decodeDevice(account.data) }))
    .sort((a, b) => a.device.name.localeCompare(b.device.name));
  const epochs = [
    ...new Set(devices.flatMap((d) => unsettledEpochs(d.device.availability.earnings).map(String))),
  ].map(BigInt);
  const keys = [
    stakingConfigPda().address,
    ...devices.map((d) => stakePoolPda(d.address, owner).address),
    ...epochs.map((e) => availabilityEpochPda(e).address),
  ];
  const infos = await connection.getMultipleAccountsInfo(keys, "confirmed");
  const [stakingInfo, ...rest] = infos;
  const poolInfos = rest.slice(0, devices.length);
  const closed = new Map<string, AvailabilityEpoch>();
  rest.slice(devices.length).forEach((info, i) => {
    if (info) closed.set(String(epochs[i]), decodeAvailabilityEpoch(info.data));
  });
  const stakingConfig = stakingInfo ? decodeStakingConfig(stakingInfo.data) : null;
  return devices.map(({ address, device }, i) => {
    const poolInfo = poolInfos[i];
    const pool = poolInfo ? decodeStakePool(poolInfo.data) : null;
    const earnings = device.availability.earnings;
    const closedEpochs = unsettledEpochs(earnings).filter((e) => closed.has(String(e)));
    // Accrued (settled, not yet claimed) after settling the closed epochs: what a claim pays.
    const claimable = claimableEarnings(
      earnings,
      closedEpochs.map((e) => closed.get(String(e))!),
      "devices",
    );
    return {
      address,
      device,
      status: deviceListStatus(device),
      stake: stakingConfig ? deviceStake({ device, pool }, stakingConfig) : null,
      claimable,
      closedEpochs,
    };
  });
}

function DeviceCard({ row, cluster }: { row: OwnedDevice; cluster: Cluster }): ReactElement {
  const signer = useSigner();
  const { status, send } = useSendTransaction();
  const program = useMemo(() => registryProgram(), []);
  const { device, address } = row;
  const [name, setName] = useState(device.name);
  const [price, setPrice] = useState("");
  const [endpoint, setEndpoint] = useState(device.endpoint);
  const [priceError, setPriceError] = useState<string | null>(null);
  const [confirmDeregister, setConfirmDeregister] = useState(false);
  const [open, setOpen] = useState(false);
  const [telemetryOpen, setTelemetryOpen] = useState(false);
  const busy = status.state === "signing" || status.state === "sent";
  const owner = signer.publicKey;

  const rename = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    await send([await renameDeviceIx(program, { owner, device: address, name: name.trim() })]);
  };
  const changePrice = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const units = parseUnits(price, IOSD_DECIMALS);
    if (units === null || units === 0n) {
      setPriceError("Enter a price in IOSD per GPU-hour, e.g. 1.5");
      return;
    }
    setPriceError(null);
    if (
      await send([
        await updateDeviceIx(program, { owner, device: address, pricePerGpuHour: units }),
      ])
    )
      setPrice("");
  };
  const changeEndpoint = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    await send([
      await setEndpointIx(program, { signer: owner, device: address, endpoint: endpoint.trim() }),
    ]);
  };
  const togglePause = async (): Promise<void> => {
    const ix =
      row.status === "paused"
        ? await resumeDeviceIx(program, { signer: owner, device: address })
        : await pauseDeviceIx(program, { signer: owner, device: address });
    await send([ix]);
  };
  const deregister = async (): Promise<void> => {
    setConfirmDeregister(false);
    await send([
      await deregisterDeviceIx(program, {
        owner,
        device: address,
        deviceIdHash: device.deviceIdHash,
      }),
    ]);
  };
  const claim = async (): Promise<void> => {
    const ioMint = ioMintPda().address;
    const destination = getAssociatedTokenAddressSync(ioMint, owner);
    await send([
      createAssociatedTokenAccountIdempotentInstruction(owner, destination, owner, ioMint),
      await claimAvailabilityRewardsIx(program, {
        owner,
        device: address,
        destination,
        closedEpochs: row.closedEpochs,
      }),
    ]);
  };

  const id = address.toBase58();
  return (
    <article
      className="card"
      data-testid={`worker-device-${id}`}
      aria-label={`Device ${device.name}`}
    >
      <h3>
        <a href={`#/device/${id}`} data-testid="device-name">
          {device.name}
        </a>{" "}
        <span className={`badge status-${row.status}`} data-testid="device-status">
          {row.status}
        </span>
      </h3>
      <dl className="stats">
        <Stat id="device-gpu" label="GPU" value={`${device.specs.gpuCount} × ${device.gpuModel}`} />
        <Stat id="device-region" label="Region" value={device.region} />
        <Stat
          id="device-price"
          label="Price per GPU-hour"
          value={formatIosd(big(device.pricePerGpuHour))}
        />
        <Stat
          id="device-reputation"
          label="Reputation"
          value={formatBps(device.availability.reputationBps)}
        />
        <Stat
          id="device-stake"
          label="Staked / needed"
          value={
            row.stake
              ? `${formatIo(row.stake.qualifying)} / ${formatIo(row.stake.minimum)}${row.stake.met ? "" : " (below the minimum: not bookable)"}`
              : "—"
          }
        />
        <Stat id="device-claimable" label="Claimable rewards" value={formatIo(row.claimable)} />
        <Stat
          id="device-endpoint"
          label="Endpoint"
          value={device.endpoint || "through the relay"}
        />
      </dl>
      <div className="actions">
        <form onSubmit={(e) => void rename(e)} aria-label="Rename">
          <label>
            Name <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" disabled={busy || !name.trim() || name.trim() === device.name}>
            Rename
          </button>
        </form>
        <form onSubmit={(e) => void changePrice(e)} aria-label="Change price">
          <label>
            Price (IOSD per GPU-hour){" "}
            <input
              name="price"
              inputMode="decimal"
              placeholder={formatIosd(big(device.pricePerGpuHour)).replace(" IOSD", "")}
              value={price}
              onChange={(e) => setPrice(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy || !price}>
            Change price
          </button>
          {priceError && (
            <span role="alert" className="error">
              {priceError}
            </span>
          )}
        </form>
        <form onSubmit={(e) => void changeEndpoint(e)} aria-label="Change endpoint">
          <label>
            Endpoint{" "}
            <input
              name="endpoint"
              placeholder="through the relay"
              value={endpoint}
              onChange={(e) => setEndpoint(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy || endpoint.trim() === device.endpoint}>
            Change endpoint
          </button>
        </form>
        <button
          type="button"
          disabled={busy || row.status === "reserved"}
          onClick={() => void togglePause()}
        >
          {row.status === "paused" ? "Resume" : "Pause"}
        </button>
        <button type="button" disabled={busy || row.claimable === 0n} onClick={() => void claim()}>
          Claim rewards
        </button>
        {confirmDeregister ? (
          <span>
            Deregister {device.name}? Its rent returns to you.{" "}
            <button type="button" onClick={() => void deregister()}>
              Yes, deregister
            </button>{" "}
            <button type="button" onClick={() => setConfirmDeregister(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button
            type="button"
            disabled={busy || row.status === "reserved"}
            onClick={() => setConfirmDeregister(true)}
          >
            Deregister
          </button>
        )}
      </div>
      <TxStatusView status={status} cluster={cluster} />
      <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>Earnings, jobs, uptime and profitability</summary>
        {open && (
          <DeviceEarnings address={address} device={device} staked={row.stake?.qualifying ?? 0n} />
        )}
      </details>
      <details onToggle={(e) => setTelemetryOpen((e.target as HTMLDetailsElement).open)}>
        <summary>Telemetry</summary>
        {telemetryOpen && <TelemetryCharts device={address} cluster={cluster} />}
      </details>
    </article>
  );
}

/** `#/worker`: the connected wallet's devices. */
export function WorkerPage({ cluster }: { cluster: Cluster }): ReactElement {
  const { connection } = useConnection();
  const signer = useSigner();
  const [devices] = useLoad(
    connection,
    () => fetchOwnedDevices(connection, signer.publicKey),
    [signer.publicKey.toBase58()],
    WORKER_PROGRAMS,
  );
  return (
    <section aria-label="My devices">
      <h2>My devices</h2>
      <p>
        Devices owned by <code>{signer.publicKey.toBase58()}</code>. To add one, run{" "}
        <code>iogrid-agent register --print-link</code> on the machine and open the link it prints.
      </p>
      <LoadState state={devices} what="your devices" />
      {devices.state === "ready" &&
        (devices.value.length === 0 ? (
          <p data-testid="worker-empty">This wallet owns no devices.</p>
        ) : (
          devices.value.map((row) => (
            <DeviceCard key={row.address.toBase58()} row={row} cluster={cluster} />
          ))
        ))}
    </section>
  );
}

const SYSTEM_TRANSFER = 2;

/** A System Program transfer to `to`: its lamports, else null. */
function transferTo(ix: TransactionInstruction, to: PublicKey): bigint | null {
  if (!ix.programId.equals(SystemProgram.programId) || ix.keys.length !== 2) return null;
  if (ix.data.length !== 12 || ix.data.readUInt32LE(0) !== SYSTEM_TRANSFER) return null;
  return ix.keys[1]!.pubkey.equals(to) ? ix.data.readBigUInt64LE(4) : null;
}

/**
 * Why `tx` is not what the link says (null when it is): exactly one `register_device` of
 * `expected`'s record, with only compute-budget instructions and SOL for the agent key's fees
 * beside it, paid by `owner`. The same rule as the agent's `register --cosign`.
 */
export function registrationProblem(
  tx: Transaction,
  expected: TransactionInstruction,
  owner: PublicKey,
  agent: PublicKey,
): string | null {
  if (!tx.feePayer?.equals(owner)) return "its fee payer is not this wallet";
  let registrations = 0;
  for (const ix of tx.instructions) {
    if (ix.programId.equals(ComputeBudgetProgram.programId)) continue;
    if (transferTo(ix, agent) !== null) continue;
    const same =
      ix.programId.equals(expected.programId) &&
      ix.data.equals(expected.data) &&
      ix.keys.length === expected.keys.length &&
      ix.keys.every((k, i) => k.pubkey.equals(expected.keys[i]!.pubkey));
    if (!same) return "it carries an instruction other than this device's registration";
    registrations++;
  }
  return registrations === 1 ? null : "it does not register this link's device exactly once";
}

/** The SOL a link's transaction moves to the agent key (its fee budget). */
function agentFunding(base64: string, agent: PublicKey): bigint {
  try {
    const tx = Transaction.from(Buffer.from(base64, "base64"));
    return tx.instructions.reduce((sum, ix) => sum + (transferTo(ix, agent) ?? 0n), 0n);
  } catch {
    return 0n;
  }
}

type Parsed = { state: "ok"; link: AddDeviceLink } | { state: "error"; error: string };

/** `#/worker/add`: the device of the agent's link, registered with the wallet as owner. */
export function AddDevicePage({ cluster }: { cluster: Cluster }): ReactElement {
  const parsed = useMemo<Parsed>(() => {
    try {
      return { state: "ok", link: parseAddDeviceLink(window.location.href) };
    } catch (err) {
      return { state: "error", error: (err as Error).message };
    }
  }, []);
  if (parsed.state === "error")
    return (
      <section aria-label="Add a device">
        <h2>Add a device</h2>
        <p role="alert" className="error">
          This is not a valid add-device link: {parsed.error}. Run{" "}
          <code>iogrid-agent register --print-link</code> on the machine for one.
        </p>
      </section>
    );
  return <AddDevice link={parsed.link} cluster={cluster} />;
}

function AddDevice({ link, cluster }: { link: AddDeviceLink; cluster: Cluster }): ReactElement {
  const { connection } = useConnection();
  const signer = useSigner();
  const { status, sendPrepared } = useSendTransaction();
  const program = useMemo(() => registryProgram(), []);
  const [cosigned, setCosigned] = useState("");
  const [prepared, setPrepared] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const busy = status.state === "signing" || status.state === "sent";
  const ownerMismatch = link.owner && !link.owner.equals(signer.publicKey);
  const params = { ...link, owner: signer.publicKey };
  const funding = useMemo(
    () => (link.transaction ? agentFunding(link.transaction, link.agent) : 0n),
    [link],
  );

  /** The link's own transaction (or one pasted back co-signed), checked against the link. */
  const sendCosigned = async (base64: string): Promise<void> => {
    setProblem(null);
    let tx: Transaction;
    try {
      tx = Transaction.from(Buffer.from(base64.trim(), "base64"));
    } catch (err) {
      setProblem(`not a serialized transaction: ${(err as Error).message}`);
      return;
    }
    const expected = await registerDeviceIx(program, params);
    const wrong = registrationProblem(tx, expected, signer.publicKey, link.agent);
    if (wrong) {
      setProblem(`Refusing to sign: ${wrong}.`);
      return;
    }
    await sendPrepared(tx);
  };
  const prepare = async (): Promise<void> => {
    // Without a co-signed transaction: the wallet's registration goes to the agent to co-sign
    // (`register --cosign` checks it is this machine's record), then comes back here.
    const ix = await registerDeviceIx(program, params);
    const latest = await connection.getLatestBlockhash("confirmed");
    const tx = new Transaction({ feePayer: signer.publicKey, ...latest }).add(ix);
    setPrepared(
      tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64"),
    );
  };

  const s = link.specs;
  const tier = Object.keys(s.bandwidthTier)[0] ?? "";
  return (
    <section aria-label="Add a device">
      <h2>Add a device</h2>
      <p>
        The agent on <strong data-testid="add-device-id">{link.deviceId}</strong> asks to be
        registered with your wallet as its owner. Check what it reports before you sign.
      </p>
      <dl className="stats">
        <Stat id="add-name" label="Name" value={link.name} />
        <Stat id="add-gpu-model" label="GPU model" value={link.gpuModel} />
        <Stat id="add-gpu-count" label="GPUs" value={String(s.gpuCount)} />
        <Stat
          id="add-vram"
          label="VRAM per GPU"
          value={`${s.vramMib.toLocaleString("en-US")} MiB`}
        />
        <Stat id="add-cpu" label="CPU cores" value={String(s.cpuCores)} />
        <Stat id="add-ram" label="RAM" value={`${s.ramMib.toLocaleString("en-US")} MiB`} />
        <Stat
          id="add-storage"
          label="Storage"
          value={`${s.storageGib.toLocaleString("en-US")} GiB`}
        />
        <Stat id="add-bandwidth" label="Bandwidth" value={tier} />
        <Stat id="add-region" label="Region" value={link.region} />
        <Stat id="add-price" label="Price per GPU-hour" value={formatIosd(link.pricePerGpuHour)} />
        <Stat id="add-endpoint" label="Endpoint" value={link.endpoint || "through the relay"} />
        <Stat id="add-agent" label="Agent key" value={<code>{link.agent.toBase58()}</code>} />
      </dl>
      {ownerMismatch && (
        <p role="alert" className="error" data-testid="owner-mismatch">
          The agent expects owner <code>{link.owner!.toBase58()}</code>; connect that wallet (this
          one is <code>{signer.publicKey.toBase58()}</code>).
        </p>
      )}
      {status.state === "confirmed" ? (
        <p>
          Registered. <a href="#/worker">See it among your devices</a>; start the agent with{" "}
          <code>iogrid-agent start</code>, and stake to the device&apos;s minimum so it can be
          booked.
        </p>
      ) : link.transaction ? (
        <p>
          <button
            type="button"
            disabled={busy || Boolean(ownerMismatch)}
            onClick={() => void sendCosigned(link.transaction!)}
          >
            Sign and register
          </button>{" "}
          The agent co-signed this registration
          {funding > 0n && (
            <>
              {" "}
              and the move of{" "}
              <strong data-testid="add-agent-funding">{formatUnits(funding, 9)} SOL</strong> to the
              agent key for its transaction fees
            </>
          )}
          ; it expires about a minute after the link was printed (print a new one if it did).
        </p>
      ) : (
        <div>
          <p>
            This link carries no co-signed transaction (the agent&apos;s config names no owner). Set{" "}
            <code>owner: {signer.publicKey.toBase58()}</code> in the agent&apos;s config and run{" "}
            <code>iogrid-agent register --print-link</code> again, or have the agent co-sign with{" "}
            <code>iogrid-agent register --cosign &lt;transaction&gt;</code> and paste the result:
          </p>
          {prepared ? (
            <pre data-testid="cosign-command">iogrid-agent register --cosign {prepared}</pre>
          ) : (
            <button type="button" disabled={busy} onClick={() => void prepare()}>
              Prepare the transaction for the agent
            </button>
          )}
          <label>
            Co-signed transaction (base64){" "}
            <textarea value={cosigned} onChange={(e) => setCosigned(e.target.value)} />
          </label>
          <button
            type="button"
            disabled={busy || !cosigned.trim()}
            onClick={() => void sendCosigned(cosigned)}
          >
            Sign and register
          </button>
        </div>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <TxStatusView status={status} cluster={cluster} />
    </section>
  );
}
