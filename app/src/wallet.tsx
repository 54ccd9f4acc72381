import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import type { WalletName } from "@solana/wallet-adapter-base";
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import type { Connection, PublicKey, Transaction } from "@solana/web3.js";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactElement, ReactNode } from "react";
import { formatUnits } from "./format.js";

const KEY = "iogrid.localWallet";

/** The local chain's built-in wallet: a keypair kept in localStorage, created on first use. */
export function loadLocalKeypair(storage: Storage = window.localStorage): Keypair {
  const saved = storage.getItem(KEY);
  if (saved) {
    try {
      return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(saved) as number[]));
    } catch {
      // a corrupt entry is replaced
    }
  }
  const keypair = Keypair.generate();
  storage.setItem(KEY, JSON.stringify(Array.from(keypair.secretKey)));
  return keypair;
}

/** Who signs: a connected wallet-adapter wallet, else the local keypair. */
export interface Signer {
  publicKey: PublicKey;
  kind: "adapter" | "local";
  /** Signs and sends; resolves to the signature. `onSigned` runs once the wallet signed. */
  send(tx: Transaction, connection: Connection, onSigned: () => void): Promise<string>;
}

const SignerContext = createContext<Signer | null>(null);

export function useSigner(): Signer {
  const signer = useContext(SignerContext);
  if (!signer) throw new Error("useSigner outside SignerProvider");
  return signer;
}

export function SignerProvider({ children }: { children: ReactNode }): ReactElement {
  const local = useMemo(() => loadLocalKeypair(), []);
  const adapter = useWallet();
  const signer = useMemo<Signer>(() => {
    if (adapter.connected && adapter.publicKey && adapter.signTransaction) {
      const signTransaction = adapter.signTransaction;
      return {
        publicKey: adapter.publicKey,
        kind: "adapter",
        send: async (tx, connection, onSigned) => {
          const signed = await signTransaction(tx);
          onSigned();
          return connection.sendRawTransaction(signed.serialize());
        },
      };
    }
    return {
      publicKey: local.publicKey,
      kind: "local",
      send: async (tx, connection, onSigned) => {
        // Adds the local signature to any the transaction already carries (a co-signer's).
        tx.partialSign(local);
        onSigned();
        return connection.sendRawTransaction(tx.serialize());
      },
    };
  }, [adapter.connected, adapter.publicKey, adapter.signTransaction, local]);
  return <SignerContext.Provider value={signer}>{children}</SignerContext.Provider>;
}

/** The SOL balance of `address`, re-read when the account changes. */
export function useSolBalance(connection: Connection, address: PublicKey): bigint | null {
  const [lamports, setLamports] = useState<bigint | null>(null);
  useEffect(() => {
    let live = true;
    connection.getBalance(address).then(
      (value) => live && setLamports(BigInt(value)),
      () => live && setLamports(null),
    );
    const sub = connection.onAccountChange(address, (info) => setLamports(BigInt(info.lamports)));
    return () => {
      live = false;
      void connection.removeAccountChangeListener(sub);
    };
  }, [connection, address]);
  return lamports;
}

/** Wallet-standard wallets the adapter discovered, as a select plus connect/disconnect. */
function AdapterWallets(): ReactElement {
  const { wallets, wallet, select, connect, disconnect, connected, connecting } = useWallet();
  const [error, setError] = useState<string | null>(null);
  const choose = (name: string): void => {
    setError(null);
    select(name ? (name as WalletName) : null);
  };
  const onConnect = (): void => {
    setError(null);
    connect().catch((err: unknown) => setError(String(err)));
  };
  if (wallets.length === 0) return <span className="muted">No browser wallet found</span>;
  return (
    <span className="adapter">
      <select
        aria-label="Browser wallet"
        value={wallet?.adapter.name ?? ""}
        onChange={(e) => choose(e.target.value)}
      >
        <option value="">Choose a wallet</option>
        {wallets.map((w) => (
          <option key={w.adapter.name} value={w.adapter.name}>
            {w.adapter.name}
          </option>
        ))}
      </select>
      {connected ? (
        <button type="button" onClick={() => void disconnect()}>
          Disconnect
        </button>
      ) : (
        <button type="button" disabled={!wallet || connecting} onClick={onConnect}>
          {connecting ? "Connecting…" : "Connect"}
        </button>
      )}
      {error && <span className="error">{error}</span>}
    </span>
  );
}

/** The signer's address and SOL balance, an airdrop for the local wallet, and the adapter's wallets. */
export function WalletBar(): ReactElement {
  const { connection } = useConnection();
  const signer = useSigner();
  const lamports = useSolBalance(connection, signer.publicKey);
  const [airdrop, setAirdrop] = useState<string | null>(null);
  const requestAirdrop = useCallback(async (): Promise<void> => {
    setAirdrop("Requesting…");
    try {
      const signature = await connection.requestAirdrop(signer.publicKey, 2 * LAMPORTS_PER_SOL);
      const latest = await connection.getLatestBlockhash();
      await connection.confirmTransaction({ signature, ...latest }, "confirmed");
      setAirdrop(null);
    } catch (err) {
      setAirdrop(`Airdrop failed: ${String(err)}`);
    }
  }, [connection, signer.publicKey]);
  return (
    <div className="wallet" aria-label="Wallet">
      <span>
        {signer.kind === "local" ? "Local wallet" : "Wallet"}{" "}
        <code data-testid="wallet-address">{signer.publicKey.toBase58()}</code>
      </span>
      <span data-testid="sol-balance">
        {lamports === null ? "—" : formatUnits(lamports, 9)} SOL
      </span>
      {signer.kind === "local" && (
        <button type="button" onClick={() => void requestAirdrop()}>
          Airdrop 2 SOL
        </button>
      )}
      {airdrop && <span role="status">{airdrop}</span>}
      <AdapterWallets />
    </div>
  );
}
