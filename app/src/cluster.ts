/** The cluster the app talks to: `?rpc=&ws=` in the URL, else what was saved, else localhost. */
export interface Cluster {
  rpc: string;
  ws: string;
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
  if (rpc) {
    const cluster = { rpc, ws: query.get("ws") ?? defaultWs(rpc) };
    saveCluster(cluster);
    return cluster;
  }
  const saved = window.localStorage.getItem(KEY);
  if (saved) {
    try {
      const parsed = JSON.parse(saved) as Cluster;
      if (parsed.rpc && parsed.ws) return parsed;
    } catch {
      // a corrupt entry falls back to the default
    }
  }
  return { rpc: "http://127.0.0.1:8899", ws: "ws://127.0.0.1:8900" };
}

export function saveCluster(cluster: Cluster): void {
  window.localStorage.setItem(KEY, JSON.stringify(cluster));
}
