import { useConnection } from "@solana/wallet-adapter-react";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
  unpackAccount,
} from "@solana/spl-token";
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Connection, PublicKey } from "@solana/web3.js";
import {
  IOSD_DECIMALS,
  IO_DECIMALS,
  IotokenMathError,
  PRICE_DECIMALS,
  decodeEmissionLedger,
  decodePriceFeed,
  decodeTokenConfig,
  feedUsablePrice,
  iosdForIo,
  iosdMintPda,
  iosdMintRoom,
  ioMintPda,
  iotokenConfigPda,
  iotokenProgram,
  ledgerPda,
  mintIosdIx,
  priceFeedPda,
} from "@iogrid/sdk";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { FormEvent, ReactElement } from "react";
import type { Cluster } from "./cluster.js";
import { formatUnits, parseUnits } from "./format.js";
import type { Loadable } from "./query.js";
import { TxStatusView, useSendTransaction } from "./tx.js";
import { Stat, TextInput } from "./ui.js";
import { useSigner } from "./wallet.js";

export interface TokenState {
  io: bigint;
  iosd: bigint;
  /** The conservative price (USD per IO, 8 decimals) `mint_iosd` would use now, or its refusal. */
  price: { ok: true; value: bigint } | { ok: false; refusal: string };
  /** IOSD base units mintable now before the circuit breaker trips. */
  breakerRoom: bigint | null;
  windowSecs: bigint | null;
  now: bigint;
}

function balance(address: PublicKey, info: Parameters<typeof unpackAccount>[1] | null): bigint {
  return info ? unpackAccount(address, info, info.owner).amount : 0n;
}

/**
 * The wallet's IO and IOSD and what burn-mint would do at the chain's time, from one
 * getMultipleAccounts (config, ledger, price feed, both token accounts and the clock sysvar).
 */
export async function fetchTokenState(
  connection: Connection,
  owner: PublicKey,
): Promise<TokenState> {
  const ioAta = getAssociatedTokenAddressSync(ioMintPda().address, owner);
  const iosdAta = getAssociatedTokenAddressSync(iosdMintPda().address, owner);
  const infos = await connection.getMultipleAccountsInfo([
    iotokenConfigPda().address,
    ledgerPda().address,
    priceFeedPda().address,
    ioAta,
    iosdAta,
    SYSVAR_CLOCK_PUBKEY,
  ]);
  const [configInfo, ledgerInfo, feedInfo, ioInfo, iosdInfo, clockInfo] = infos;
  // The chain's Clock::unix_timestamp, as the program reads it (slot, epoch start, epoch,
  // leader schedule epoch, then the timestamp at byte 32).
  const now = clockInfo
    ? new DataView(clockInfo.data.buffer, clockInfo.data.byteOffset).getBigInt64(32, true)
    : BigInt(Math.floor(Date.now() / 1000));
  let price: TokenState["price"] = { ok: false, refusal: "NoPriceFeed" };
  let breakerRoom: bigint | null = null;
  let windowSecs: bigint | null = null;
  if (configInfo && feedInfo && ledgerInfo) {
    const config = decodeTokenConfig(configInfo.data);
    try {
      price = {
        ok: true,
        value: feedUsablePrice(decodePriceFeed(feedInfo.data), config.oracle, now),
      };
    } catch (err) {
      if (!(err instanceof IotokenMathError)) throw err;
      price = { ok: false, refusal: err.errorName };
    }
    breakerRoom = iosdMintRoom(decodeEmissionLedger(ledgerInfo.data), config, now);
    windowSecs = BigInt(config.breaker.windowSecs.toString());
  }
  return {
    io: balance(ioAta, ioInfo ?? null),
    iosd: balance(iosdAta, iosdInfo ?? null),
    price,
    breakerRoom,
    windowSecs,
    now,
  };
}

function useTokenState(owner: PublicKey): [Loadable<TokenState>, () => void] {
  const { connection } = useConnection();
  const [value, setValue] = useState<Loadable<TokenState>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    fetchTokenState(connection, owner).then(
      (state) => live && setValue({ state: "ready", value: state }),
      (err: unknown) => live && setValue({ state: "error", error: String(err) }),
    );
    return () => {
      live = false;
    };
  }, [connection, owner, tick]);
  useEffect(() => {
    const subs = [ioMintPda().address, iosdMintPda().address].map((mint) =>
      connection.onAccountChange(getAssociatedTokenAddressSync(mint, owner), reload, "confirmed"),
    );
    return () => {
      for (const sub of subs) void connection.removeAccountChangeListener(sub);
    };
  }, [connection, owner, reload]);
  return [value, reload];
}

/** The Token page: IO and IOSD balances and burn IO -> IOSD at the conservative price. */
export function TokenPage({ cluster }: { cluster: Cluster }): ReactElement {
  const signer = useSigner();
  const [token, reload] = useTokenState(signer.publicKey);
  const { status, send } = useSendTransaction();
  const [amount, setAmount] = useState("");
  const [minOut, setMinOut] = useState("");
  const program = useMemo(() => iotokenProgram(), []);
  const ioAmount = parseUnits(amount, IO_DECIMALS);
  const minIosdOut = minOut.trim() === "" ? 0n : parseUnits(minOut, IOSD_DECIMALS);

  if (token.state === "loading") return <p role="status">Loading balances…</p>;
  if (token.state === "error")
    return (
      <p role="alert" className="error">
        Could not read the chain: {token.error}
      </p>
    );
  const t = token.value;
  const quote = t.price.ok && ioAmount !== null ? iosdForIo(ioAmount, t.price.value) : null;
  const busy = status.state === "signing" || status.state === "sent";
  // Refused before signing: the program would fail the transfer anyway, after a fee.
  const overBalance = ioAmount !== null && ioAmount > t.io;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (ioAmount === null || minIosdOut === null || overBalance) return;
    const owner = signer.publicKey;
    const iosdMint = iosdMintPda().address;
    const iosdAta = getAssociatedTokenAddressSync(iosdMint, owner);
    await send([
      createAssociatedTokenAccountIdempotentInstruction(owner, iosdAta, owner, iosdMint),
      await mintIosdIx(program, {
        user: owner,
        ioSource: getAssociatedTokenAddressSync(ioMintPda().address, owner),
        iosdDestination: iosdAta,
        ioAmount,
        minIosdOut,
      }),
    ]);
    reload();
  };

  return (
    <section aria-label="Token">
      <dl className="stats">
        <Stat id="io-balance" label="IO balance" value={formatUnits(t.io, IO_DECIMALS)} />
        <Stat id="iosd-balance" label="IOSD balance" value={formatUnits(t.iosd, IOSD_DECIMALS)} />
        <Stat
          id="burn-price"
          label="Burn-mint price (USD per IO)"
          value={
            t.price.ok ? formatUnits(t.price.value, PRICE_DECIMALS) : `Refused: ${t.price.refusal}`
          }
        />
        <Stat
          id="breaker-room"
          label="Circuit breaker room"
          value={
            <>
              {t.breakerRoom === null ? "—" : `${formatUnits(t.breakerRoom, IOSD_DECIMALS)} IOSD`}
              {t.windowSecs !== null && <small> per {String(t.windowSecs / 3600n)} h window</small>}
            </>
          }
        />
      </dl>
      <h2>Burn IO for IOSD</h2>
      <form className="card burn" onSubmit={(e) => void submit(e)} aria-label="Burn IO for IOSD">
        <TextInput
          label="IO to burn"
          name="io-amount"
          inputMode="decimal"
          value={amount}
          onChange={setAmount}
        />
        <TextInput
          label="Minimum IOSD out (optional)"
          inputMode="decimal"
          name="min-iosd-out"
          value={minOut}
          onChange={setMinOut}
        />
        {overBalance ? (
          <p role="alert" className="error" data-testid="burn-refusal">
            You hold {formatUnits(t.io, IO_DECIMALS)} IO: you cannot burn more than that.
          </p>
        ) : (
          <p data-testid="burn-quote">
            {quote === null ? "—" : `You receive ${formatUnits(quote, IOSD_DECIMALS)} IOSD`}
          </p>
        )}
        <button
          type="submit"
          disabled={
            busy || ioAmount === null || ioAmount === 0n || overBalance || minIosdOut === null
          }
        >
          Burn
        </button>
      </form>
      <TxStatusView status={status} cluster={cluster} />
    </section>
  );
}
