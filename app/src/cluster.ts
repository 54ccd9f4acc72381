/**
 * The cluster the app talks to: `?rpc=&ws=` in the URL, else what was saved, else localhost; and
 * the tunnel relay devices' telemetry is read through (`?relay=`, saved alike; "" for none).
 */
export interface Cluster {
  rpc: string;
  ws: string;
  relay: string;
}

const KEY = "iogrid.cluster";

export function defaultWs(rpc: string): string {
  const url = new URL(rpc);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString();
}

export function loadCluster(search: string = window.location.search): Cluster {
  const query = new URLSearchParams(search);
  const rpc = query.get("rpc");
  const relay = query.get("relay");
  let cluster: Cluster = { rpc: "http://127.0.0.1:8899", ws: "ws://127.0.0.1:8900", relay: "" };
  const saved = window.localStorage.getItem(KEY);
  if (saved) {
    try {
      const parsed = JSON.parse(saved) as Partial<Cluster>;
      if (parsed.rpc && parsed.ws)
        cluster = { rpc: parsed.rpc, ws: parsed.ws, relay: parsed.relay ?? "" };
    } catch {
      // a corrupt entry falls back to the default
    }
  }
  if (rpc) cluster = { ...cluster, rpc, ws: query.get("ws") ?? defaultWs(rpc) };
  if (relay !== null) cluster = { ...cluster, relay };
  if (rpc || relay !== null) saveCluster(cluster);
  return cluster;
}

export function saveCluster(cluster: Cluster): void {
  window.localStorage.setItem(KEY, JSON.stringify(cluster));
}
