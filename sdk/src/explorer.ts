/**
 * Solana Explorer links for the cluster in use: the public clusters by name, any other RPC (a
 * local chain, a private endpoint) as Explorer's custom cluster, which Explorer queries itself.
 */

const PUBLIC_CLUSTERS: Readonly<Record<string, string | null>> = Object.freeze({
  "https://api.mainnet-beta.solana.com": null,
  "https://api.devnet.solana.com": "devnet",
  "https://api.testnet.solana.com": "testnet",
});

/** Explorer's query string for the cluster at `rpcUrl` (empty for mainnet-beta). */
export function explorerClusterQuery(rpcUrl: string): string {
  const url = rpcUrl.replace(/\/+$/, "");
  if (Object.hasOwn(PUBLIC_CLUSTERS, url)) {
    const name = PUBLIC_CLUSTERS[url];
    return name ? `?cluster=${name}` : "";
  }
  return `?cluster=custom&customUrl=${encodeURIComponent(rpcUrl)}`;
}

/** Solana Explorer's page of transaction `signature` on the cluster at `rpcUrl`. */
export function explorerTxUrl(signature: string, rpcUrl: string): string {
  return `https://explorer.solana.com/tx/${signature}${explorerClusterQuery(rpcUrl)}`;
}

/** Solana Explorer's page of account `address` on the cluster at `rpcUrl`. */
export function explorerAddressUrl(address: { toString(): string }, rpcUrl: string): string {
  return `https://explorer.solana.com/address/${address.toString()}${explorerClusterQuery(rpcUrl)}`;
}
