/**
 * The web app's add-device link: what an agent prints for an owner who signs the device's
 * registration in a browser wallet (`iogrid-agent register --print-link`), and what the app
 * parses. It carries every `register_device` argument (the device id, name, specs, price,
 * region, endpoint and the agent key) and, when the agent knows the owner's wallet, the
 * registration transaction already co-signed by the agent key (base64, the owner's signature
 * missing), which the wallet completes and sends before its blockhash expires. Browser-safe.
 */
import { PublicKey } from "@solana/web3.js";

import type { DeviceSpecs, RegisterDeviceParams } from "../registry.js";
import { BANDWIDTH_TIER } from "../registry.js";

/** Path of the app's add-device page. */
export const ADD_DEVICE_PATH = "/worker/add-device";
/** Version of the link's query format. */
export const ADD_DEVICE_LINK_VERSION = "1";

type TierName = keyof typeof BANDWIDTH_TIER;

/** What the link carries. */
export interface AddDeviceLink extends Omit<RegisterDeviceParams, "owner" | "pricePerGpuHour"> {
  pricePerGpuHour: bigint;
  /** The owner the agent expects, when configured. */
  owner?: PublicKey;
  /** The registration transaction co-signed by the agent (base64, wire format). */
  transaction?: string;
}

function tierName(specs: DeviceSpecs): TierName {
  return (Object.keys(BANDWIDTH_TIER) as TierName[]).find((t) => t in specs.bandwidthTier)!;
}

/** The add-device URL of the app at `appUrl` for `link`. */
export function addDeviceLink(appUrl: string, link: AddDeviceLink): string {
  const url = new URL(ADD_DEVICE_PATH, appUrl.endsWith("/") ? appUrl : `${appUrl}/`);
  const q = url.searchParams;
  q.set("v", ADD_DEVICE_LINK_VERSION);
  q.set("deviceId", link.deviceId);
  q.set("name", link.name);
  q.set("gpuModel", link.gpuModel);
  q.set("region", link.region);
  q.set("gpuCount", String(link.specs.gpuCount));
  q.set("vramMib", String(link.specs.vramMib));
  q.set("cpuCores", String(link.specs.cpuCores));
  q.set("ramMib", String(link.specs.ramMib));
  q.set("storageGib", String(link.specs.storageGib));
  q.set("bandwidth", tierName(link.specs));
  q.set("price", link.pricePerGpuHour.toString());
  q.set("agent", link.agent.toBase58());
  q.set("endpoint", link.endpoint ?? "");
  if (link.owner) q.set("owner", link.owner.toBase58());
  if (link.transaction) q.set("tx", link.transaction);
  // An app path of its own (e.g. https://host/app) keeps its prefix.
  return url.toString();
}

/** Parses an add-device URL; throws naming the first missing or bad parameter. */
export function parseAddDeviceLink(href: string): AddDeviceLink {
  const q = new URL(href).searchParams;
  const get = (name: string): string => {
    const value = q.get(name);
    if (value === null) throw new Error(`the add-device link has no ${name}`);
    return value;
  };
  const int = (name: string): number => {
    const text = get(name);
    if (!/^\d+$/.test(text)) throw new Error(`the add-device link's ${name} is not a number`);
    return Number(text);
  };
  if (get("v") !== ADD_DEVICE_LINK_VERSION) throw new Error("unknown add-device link version");
  const bandwidth = get("bandwidth") as TierName;
  if (!(bandwidth in BANDWIDTH_TIER)) throw new Error(`unknown bandwidth tier ${bandwidth}`);
  const price = get("price");
  if (!/^\d+$/.test(price)) throw new Error("the add-device link's price is not a number");
  const owner = q.get("owner");
  const tx = q.get("tx");
  return {
    deviceId: get("deviceId"),
    name: get("name"),
    gpuModel: get("gpuModel"),
    region: get("region"),
    specs: {
      gpuCount: int("gpuCount"),
      vramMib: int("vramMib"),
      cpuCores: int("cpuCores"),
      ramMib: int("ramMib"),
      storageGib: int("storageGib"),
      bandwidthTier: BANDWIDTH_TIER[bandwidth],
    },
    pricePerGpuHour: BigInt(price),
    agent: new PublicKey(get("agent")),
    endpoint: q.get("endpoint") ?? "",
    ...(owner ? { owner: new PublicKey(owner) } : {}),
    ...(tx ? { transaction: tx } : {}),
  };
}
