import { useConnection } from "@solana/wallet-adapter-react";
import { Transaction } from "@solana/web3.js";
import type { TransactionInstruction } from "@solana/web3.js";
import {
  IOTOKEN_ERRORS,
  MARKET_ERRORS,
  REGISTRY_ERRORS,
  STAKING_ERRORS,
  explorerTxUrl,
  transactionErrorName,
} from "@iogrid/sdk";
import { useCallback, useState } from "react";
import type { ReactElement } from "react";
import type { Cluster } from "./cluster.js";
import { useSigner } from "./wallet.js";

export type TxStatus =
  | { state: "idle" }
  | { state: "signing" }
  | { state: "sent"; signature: string }
  | { state: "confirmed"; signature: string }
  | { state: "failed"; signature?: string; name: string; message: string };

const TABLES: readonly Readonly<Record<string, { msg: string }>>[] = [
  IOTOKEN_ERRORS,
  REGISTRY_ERRORS,
  STAKING_ERRORS,
  MARKET_ERRORS,
];

/** The program's `#[msg]` for an error name, when an iogrid program has it. */
export function errorMessage(name: string): string | undefined {
  for (const table of TABLES) if (Object.hasOwn(table, name)) return table[name]!.msg;
  return undefined;
}

function failure(err: unknown, logs: readonly string[] | undefined, ixs: TransactionInstruction[]) {
  const programIds = ixs.map((ix) => ix.programId);
  const name = transactionErrorName(err, { logs, programIds }) ?? "Error";
  const message =
    errorMessage(name) ?? (err instanceof Error ? err.message.split("\n")[0]! : String(err));
  return { name, message };
}

/**
 * Signs `instructions` with the current signer, sends them and follows the transaction to
 * confirmation; a refusal is decoded to the program's error name and message. `sendPrepared`
 * does the same for a transaction built elsewhere (e.g. one co-signed by an agent): the wallet
 * adds its signature to those it already carries.
 */
export function useSendTransaction(): {
  status: TxStatus;
  send: (instructions: TransactionInstruction[]) => Promise<boolean>;
  sendPrepared: (transaction: Transaction) => Promise<boolean>;
} {
  const { connection } = useConnection();
  const signer = useSigner();
  const [status, setStatus] = useState<TxStatus>({ state: "idle" });
  const run = useCallback(
    async (
      build: () => Promise<{
        tx: Transaction;
        latest: { blockhash: string; lastValidBlockHeight: number };
      }>,
      instructions: () => TransactionInstruction[],
    ): Promise<boolean> => {
      setStatus({ state: "signing" });
      let signature: string | undefined;
      try {
        const { tx, latest } = await build();
        signature = await signer.send(tx, connection, () => undefined);
        setStatus({ state: "sent", signature });
        const result = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
        if (result.value.err) {
          const detail = await connection.getTransaction(signature, {
            commitment: "confirmed",
            maxSupportedTransactionVersion: 0,
          });
          const logs = detail?.meta?.logMessages ?? undefined;
          setStatus({ state: "failed", signature, ...failure(result.value, logs, instructions()) });
          return false;
        }
        setStatus({ state: "confirmed", signature });
        return true;
      } catch (err) {
        const logs = (err as { logs?: unknown }).logs;
        const list = Array.isArray(logs) ? (logs as string[]) : undefined;
        setStatus({ state: "failed", signature, ...failure(err, list, instructions()) });
        return false;
      }
    },
    [connection, signer],
  );
  const send = useCallback(
    (instructions: TransactionInstruction[]): Promise<boolean> =>
      run(
        async () => {
          const latest = await connection.getLatestBlockhash("confirmed");
          const tx = new Transaction({ feePayer: signer.publicKey, ...latest }).add(
            ...instructions,
          );
          return { tx, latest };
        },
        () => instructions,
      ),
    [run, connection, signer],
  );
  const sendPrepared = useCallback(
    (transaction: Transaction): Promise<boolean> =>
      run(
        async () => {
          const blockhash = transaction.recentBlockhash;
          if (!blockhash) throw new Error("the transaction has no recent blockhash");
          // The wire format does not carry the blockhash's last valid height: the latest
          // blockhash's is an upper bound for it.
          const lastValidBlockHeight =
            transaction.lastValidBlockHeight ??
            (await connection.getLatestBlockhash("confirmed")).lastValidBlockHeight;
          return { tx: transaction, latest: { blockhash, lastValidBlockHeight } };
        },
        () => transaction.instructions,
      ),
    [run, connection],
  );
  return { status, send, sendPrepared };
}

/** A transaction's progress: signing, sent, confirmed or failed, with its explorer link. */
export function TxStatusView({
  status,
  cluster,
}: {
  status: TxStatus;
  cluster: Cluster;
}): ReactElement | null {
  if (status.state === "idle") return null;
  const signature = "signature" in status ? status.signature : undefined;
  const link = signature ? (
    <a href={explorerTxUrl(signature, cluster.rpc)} target="_blank" rel="noreferrer">
      View on Solana Explorer
    </a>
  ) : null;
  const label: Record<TxStatus["state"], string> = {
    idle: "",
    signing: "Signing…",
    sent: "Sent, waiting for confirmation…",
    confirmed: "Confirmed",
    failed: "Failed",
  };
  return (
    <div
      className={`tx tx-${status.state}`}
      role={status.state === "failed" ? "alert" : "status"}
      data-testid="tx-status"
      data-state={status.state}
    >
      <strong>{label[status.state]}</strong>
      {status.state === "failed" && (
        <span>
          {" "}
          <code data-testid="tx-error-name">{status.name}</code>: {status.message}
        </span>
      )}{" "}
      {link}
    </div>
  );
}
