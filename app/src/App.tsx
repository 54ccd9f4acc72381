import { ConnectionProvider, WalletProvider } from "@solana/wallet-adapter-react";
import { useEffect, useMemo, useState } from "react";
import type { FormEvent, ReactElement } from "react";
import { loadCluster, saveCluster } from "./cluster.js";
import type { Cluster } from "./cluster.js";
import { ClusterPage, Home } from "./Explorer.js";
import { DevicePage, DevicesPage } from "./Devices.js";
import { TokenPage } from "./Token.js";
import { CloudPage } from "./Cloud.js";
import { AddDevicePage, WorkerPage } from "./Worker.js";
import { StakePage } from "./Stake.js";
import { SignerProvider, WalletBar } from "./wallet.js";
import "./style.css";

function ClusterForm({ cluster }: { cluster: Cluster }): ReactElement {
  const [rpc, setRpc] = useState(cluster.rpc);
  const [ws, setWs] = useState(cluster.ws);
  const [relay, setRelay] = useState(cluster.relay);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    saveCluster({ rpc, ws, relay: relay.trim() });
    window.location.search = "";
  };
  return (
    <form className="cluster" onSubmit={submit} aria-label="Cluster">
      <label>
        RPC URL <input value={rpc} onChange={(e) => setRpc(e.target.value)} />
      </label>
      <label>
        WebSocket URL <input value={ws} onChange={(e) => setWs(e.target.value)} />
      </label>
      <label>
        Relay URL{" "}
        <input value={relay} placeholder="none" onChange={(e) => setRelay(e.target.value)} />
      </label>
      <button type="submit">Use cluster</button>
    </form>
  );
}

export type Route =
  | { page: "home" }
  | { page: "token" }
  | { page: "devices" }
  | { page: "device"; address: string }
  | { page: "cluster"; address: string }
  | { page: "cloud"; clusters: boolean }
  | { page: "worker" }
  | { page: "worker-add" }
  | { page: "stake" };

export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const device = /^\/device\/([1-9A-HJ-NP-Za-km-z]+)$/.exec(path);
  if (device) return { page: "device", address: device[1]! };
  const cluster = /^\/cluster\/([1-9A-HJ-NP-Za-km-z]+)$/.exec(path);
  if (cluster) return { page: "cluster", address: cluster[1]! };
  if (path === "/token") return { page: "token" };
  if (path === "/devices") return { page: "devices" };
  if (path === "/worker") return { page: "worker" };
  if (path === "/stake") return { page: "stake" };
  // The agent's add-device link: index.html rewrites `<app>/worker/add-device?…` to this page.
  if (path === "/worker/add") return { page: "worker-add" };
  if (path === "/cloud" || path === "/clusters")
    return { page: "cloud", clusters: path === "/clusters" };
  return { page: "home" };
}

/** The page from the URL's hash (`#/`, `#/token`, `#/devices`, `#/device/<address>`, `#/cluster/<reservation>`, `#/cloud`, `#/clusters`, `#/worker`, `#/worker/add`, `#/stake`). */
function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(routeOf(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return route;
}

const NAV: [Route["page"], string, string][] = [
  ["home", "#/", "Explorer"],
  ["devices", "#/devices", "Devices"],
  ["cloud", "#/cloud", "Cloud"],
  ["worker", "#/worker", "Worker"],
  ["stake", "#/stake", "Stake & Govern"],
  ["token", "#/token", "Token"],
];

function Page({ route, cluster }: { route: Route; cluster: Cluster }): ReactElement {
  switch (route.page) {
    case "token":
      return <TokenPage cluster={cluster} />;
    case "devices":
      return <DevicesPage />;
    case "device":
      return <DevicePage address={route.address} />;
    case "cluster":
      return <ClusterPage address={route.address} />;
    case "cloud":
      return <CloudPage cluster={cluster} focusClusters={route.clusters} />;
    case "worker":
      return <WorkerPage cluster={cluster} />;
    case "worker-add":
      return <AddDevicePage cluster={cluster} />;
    case "stake":
      return <StakePage cluster={cluster} />;
    default:
      return <Home />;
  }
}

export function App(): ReactElement {
  const cluster = useMemo(() => loadCluster(), []);
  const route = useRoute();
  return (
    <ConnectionProvider
      endpoint={cluster.rpc}
      config={{ wsEndpoint: cluster.ws, commitment: "confirmed" }}
    >
      <WalletProvider wallets={[]} autoConnect={false}>
        <SignerProvider>
          <header>
            <h1>iogrid</h1>
            <nav aria-label="Pages">
              {NAV.map(([page, href, label]) => (
                <a
                  key={page}
                  href={href}
                  aria-current={
                    route.page === page ||
                    (page === "devices" && route.page === "device") ||
                    (page === "home" && route.page === "cluster") ||
                    (page === "worker" && route.page === "worker-add")
                      ? "page"
                      : undefined
                  }
                >
                  {label}
                </a>
              ))}
            </nav>
            <WalletBar />
            <ClusterForm cluster={cluster} />
          </header>
          <main>
            <Page route={route} cluster={cluster} />
          </main>
        </SignerProvider>
      </WalletProvider>
    </ConnectionProvider>
  );
}
