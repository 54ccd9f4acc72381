/**
 * `iogrid devices` and `iogrid quote` as a renter runs them (the real CLI, a child process)
 * against a local chain holding devices of several kinds: the matches and their ranking, every
 * field against the device accounts, and each quote's figures against the chain's fee
 * parameters and price feed, to the unit, in IOSD, USDC and IO. Bad filters, an unknown cluster
 * and too few matching devices each end with one line naming the problem and its exit code.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import type { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  IOSD_PER_IO_PRICE_DIVISOR,
  iotokenConfigPda,
  priceFeedPda,
  usableIoPrice,
} from "@iogrid/sdk";

import { chainTime } from "../../tests/support/chain.js";
import { runCli } from "../../agent/test/support/agent.js";
import { startNetwork } from "../../agent/test/support/network.js";
import type { Network } from "../../agent/test/support/network.js";
import { IOGRID_BIN, hardwareDevice, iogrid, jsonOf, renterFiles } from "./support/cli.js";
import type { Hardware, RenterFiles } from "./support/cli.js";

const H100 = "NVIDIA H100 80GB HBM3";
const HARDWARE: Hardware[] = [
  {
    name: "h100-a",
    gpuModel: H100,
    gpuCount: 8,
    vramMib: 81_559,
    region: "eu-west",
    price: 2_500_000n,
  },
  {
    name: "h100-b",
    gpuModel: H100,
    gpuCount: 8,
    vramMib: 81_559,
    region: "eu-central",
    price: 2_400_000n,
  },
  {
    name: "h100-4",
    gpuModel: H100,
    gpuCount: 4,
    vramMib: 81_559,
    region: "eu-west",
    price: 2_000_000n,
  },
  {
    name: "a100",
    gpuModel: "NVIDIA A100-SXM4-80GB",
    gpuCount: 8,
    vramMib: 81_920,
    region: "us-east",
    price: 1_500_000n,
  },
  {
    name: "h100-dear",
    gpuModel: H100,
    gpuCount: 8,
    vramMib: 81_559,
    region: "eu-west",
    price: 3_000_000n,
  },
  {
    name: "h100-unstaked",
    gpuModel: H100,
    gpuCount: 8,
    vramMib: 81_559,
    region: "eu-west",
    price: 1_000_000n,
    staked: false,
  },
  {
    name: "rtx",
    gpuModel: "NVIDIA GeForce RTX 4090",
    gpuCount: 1,
    vramMib: 24_564,
    region: "eu-west",
    price: 400_000n,
  },
];

interface DeviceRow {
  rank: number;
  address: string;
  name: string;
  gpuModel: string;
  gpuCount: number;
  vramMib: number;
  region: string;
  owner: string;
  pricePerGpuHour: string;
  pricePerDeviceHour: string;
  reputationBps: number;
}

interface QuoteJson {
  token: string;
  decimals: number;
  hours: number;
  ioPrice: string | null;
  rates: { reservationFeeBps: number; paymentFeeBps: number; settleTip: string };
  devices: (DeviceRow & {
    pricePerHour: string;
    charges: { time: string; reservationFee: string; paymentFee: string; tip: string };
    total: string;
  })[];
  totals: { time: string; reservationFee: string; paymentFee: string; tip: string; total: string };
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

describe("iogrid devices and quote: the market as the chain holds it", function () {
  this.timeout(600_000);
  let n: Network;
  let renter: RenterFiles;
  const byName = new Map<string, PublicKey>();
  const nameOf = (address: string): string =>
    [...byName].find(([, a]) => a.toBase58() === address)?.[0] ?? address;

  before(async () => {
    n = await startNetwork();
    renter = renterFiles(n.renter);
    for (const hw of HARDWARE) byName.set(hw.name, (await hardwareDevice(n, hw)).device);
  });

  after(async () => {
    await n?.net.stop();
  });

  it("lists the free staked devices that match, cheapest per GPU-hour first, as the chain holds them", async () => {
    const all = jsonOf<{ devices: DeviceRow[] }>(await iogrid(n, renter, ["devices", "--json"]));
    expect(all.devices.map((d) => nameOf(d.address))).to.deep.equal([
      "rtx",
      "a100",
      "h100-4",
      "h100-b",
      "h100-a",
      "h100-dear",
    ]);
    expect(all.devices.map((d) => d.rank)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    for (const row of all.devices) {
      const d = await n.registry.account.device.fetch(row.address);
      expect(row.name).to.equal(d.name);
      expect(row.gpuModel).to.equal(d.gpuModel);
      expect(row.gpuCount).to.equal(d.specs.gpuCount);
      expect(row.vramMib).to.equal(d.specs.vramMib);
      expect(row.region).to.equal(d.region);
      expect(row.owner).to.equal(d.owner.toBase58());
      expect(row.pricePerGpuHour).to.equal(d.pricePerGpuHour.toString());
      expect(BigInt(row.pricePerDeviceHour)).to.equal(
        BigInt(d.pricePerGpuHour.toString()) * BigInt(d.specs.gpuCount),
      );
      expect(row.reputationBps).to.equal(d.availability.reputationBps);
    }

    const h100s = jsonOf<{ devices: DeviceRow[] }>(
      await iogrid(n, renter, [
        "devices",
        "--gpu",
        "H100",
        "--count",
        "8",
        "--min-vram",
        "80",
        "--region",
        "eu",
        "--max-price",
        "2.5",
        "--json",
      ]),
    );
    expect(h100s.devices.map((d) => nameOf(d.address))).to.deep.equal(["h100-b", "h100-a"]);
    // 81,559 MiB is 81.559 GB: one MiB more excludes them.
    const vram = jsonOf<{ devices: DeviceRow[] }>(
      await iogrid(n, renter, ["devices", "--gpu", "h100", "--min-vram", "81.56", "--json"]),
    );
    expect(vram.devices).to.deep.equal([]);
    const region = jsonOf<{ devices: DeviceRow[] }>(
      await iogrid(n, renter, ["devices", "--region", "eu-west", "--max-price", "2.4", "--json"]),
    );
    expect(region.devices.map((d) => nameOf(d.address))).to.deep.equal(["rtx", "h100-4"]);

    // Reputation: at what the chain records, the device matches; a basis point above, not.
    const rtx = await n.registry.account.device.fetch(byName.get("rtx")!);
    const share = (bps: number): string => (bps / 10_000).toFixed(4);
    const at = jsonOf<{ devices: DeviceRow[] }>(
      await iogrid(n, renter, [
        "devices",
        "--gpu",
        "4090",
        "--min-reputation",
        share(rtx.availability.reputationBps),
        "--json",
      ]),
    );
    expect(at.devices).to.have.length(1);
    if (rtx.availability.reputationBps < 10_000) {
      const above = jsonOf<{ devices: DeviceRow[] }>(
        await iogrid(n, renter, [
          "devices",
          "--gpu",
          "4090",
          "--min-reputation",
          share(rtx.availability.reputationBps + 1),
          "--json",
        ]),
      );
      expect(above.devices).to.deep.equal([]);
    }

    const text = await iogrid(n, renter, ["devices", "--gpu", "h100", "--count", "8"]);
    expect(text.code, text.stderr).to.equal(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).to.match(/^#\s+DEVICE\s+NAME\s+GPU\s+GPUS/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).to.deep.equal(
      ["h100-b", "h100-a", "h100-dear"].map((name) => byName.get(name)!.toBase58()),
    );
    expect(text.stdout).to.include("81.559 GB");
  });

  it("quotes the first N matches in IOSD, USDC and IO, to the unit of the chain's fees and price", async () => {
    const config = await n.iotoken.account.tokenConfig.fetch(iotokenConfigPda().address);
    const feed = await n.iotoken.account.priceFeed.fetch(priceFeedPda().address);
    const fees = config.fees;
    const settleTip = BigInt(fees.settleTip.toString());
    const args = [
      "quote",
      "--gpu",
      "h100",
      "--count",
      "8",
      "--region",
      "eu",
      "--devices",
      "2",
      "--hours",
      "3",
    ];
    for (const pay of ["iosd", "usdc", "io"] as const) {
      const now = BigInt(await chainTime(n.net.connection));
      const q = jsonOf<QuoteJson>(await iogrid(n, renter, [...args, "--pay", pay, "--json"]));
      expect(q.token).to.equal(pay);
      expect(q.hours).to.equal(3);
      expect(q.decimals).to.equal(pay === "io" ? 8 : 6);
      expect(q.devices.map((d) => nameOf(d.address))).to.deep.equal(["h100-b", "h100-a"]);
      const paymentBps = BigInt(
        { iosd: fees.iosdPaymentFeeBps, usdc: fees.usdcPaymentFeeBps, io: fees.ioPaymentFeeBps }[
          pay
        ],
      );
      const reservationBps = BigInt(fees.reservationFeeBps);
      expect(q.rates.reservationFeeBps).to.equal(Number(reservationBps));
      expect(q.rates.paymentFeeBps).to.equal(Number(paymentBps));
      // The quote was made at the chain's clock of its own read; the feed has not moved since.
      const ioPrice = pay === "io" ? usableIoPrice(feed, config.oracle, now) : null;
      expect(q.ioPrice).to.equal(ioPrice === null ? null : ioPrice.toString());
      const toToken = (usd: bigint): bigint =>
        ioPrice === null ? usd : ceilDiv(usd * IOSD_PER_IO_PRICE_DIVISOR, ioPrice);
      const sums = { time: 0n, reservationFee: 0n, paymentFee: 0n, tip: 0n, total: 0n };
      for (const d of q.devices) {
        const device = await n.registry.account.device.fetch(d.address);
        const perHour = BigInt(device.pricePerGpuHour.toString()) * BigInt(device.specs.gpuCount);
        expect(d.pricePerHour).to.equal(perHour.toString());
        const timeUsd = perHour * 3n;
        const reservationUsd = ceilDiv(timeUsd * reservationBps, 10_000n);
        const paymentUsd = ceilDiv((timeUsd + reservationUsd) * paymentBps, 10_000n);
        const reservationFee = toToken(reservationUsd);
        const tipCap = (reservationFee * 5_000n) / 10_000n;
        const tip = toToken(settleTip) < tipCap ? toToken(settleTip) : tipCap;
        const charges = {
          time: toToken(timeUsd),
          reservationFee,
          paymentFee: toToken(paymentUsd),
          tip,
        };
        expect(d.charges).to.deep.equal({
          time: charges.time.toString(),
          reservationFee: charges.reservationFee.toString(),
          paymentFee: charges.paymentFee.toString(),
          tip: charges.tip.toString(),
        });
        const total = charges.time + charges.reservationFee + charges.paymentFee;
        expect(d.total).to.equal(total.toString());
        sums.time += charges.time;
        sums.reservationFee += charges.reservationFee;
        sums.paymentFee += charges.paymentFee;
        sums.tip += charges.tip;
        sums.total += total;
      }
      expect(q.totals).to.deep.equal({
        time: sums.time.toString(),
        reservationFee: sums.reservationFee.toString(),
        paymentFee: sums.paymentFee.toString(),
        tip: sums.tip.toString(),
        total: sums.total.toString(),
      });
      if (pay === "usdc") expect(sums.paymentFee > 0n).to.equal(true);
      if (pay === "iosd") expect(sums.paymentFee).to.equal(0n);
    }

    const text = await iogrid(n, renter, [...args, "--pay", "usdc"]);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/total\s+\d+(\.\d+)? USDC/);
    expect(text.stdout).to.match(/payment fee \(2%\)/);
  });

  it("bad filters and flags, an unknown cluster and too few matches end in one line with their exit code", async () => {
    const cases: [string[], number, RegExp][] = [
      [
        ["quote", "--count", "0", "--devices", "1", "--hours", "1"],
        2,
        /--count: expected a whole number from 1/,
      ],
      [["devices", "--min-vram", "-1"], 2, /--min-vram: expected GB of VRAM .*got "-1"/],
      [["devices", "--max-price", "abc"], 2, /--max-price: expected USD per GPU-hour/],
      [["devices", "--min-reputation", "1.5"], 2, /--min-reputation: expected a share from 0 to 1/],
      [["quote", "--devices", "0", "--hours", "1"], 2, /--devices: expected a whole number/],
      [
        ["quote", "--devices", "1", "--hours", "1", "--pay", "btc"],
        2,
        /--pay: expected one of iosd, io, usdc/,
      ],
      [
        ["quote", "--devices", "1", "--hours", "49"],
        2,
        /InvalidHours: this market books at most 48 hours/,
      ],
      [["quote", "--devices", "1"], 2, /required option '--hours <h>' not specified/],
      [["devices", "--bogus"], 2, /unknown option '--bogus'/],
      [
        ["quote", "--gpu", "h100", "--devices", "7", "--hours", "1"],
        3,
        /NotEnoughDevices: 4 free devices match, 7 asked for/,
      ],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await iogrid(n, renter, args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(code);
      expect(r.stdout, args.join(" ")).to.equal("");
      expect(r.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(r.stderr, args.join(" ")).to.match(pattern);
    }
    const url = await runCli(IOGRID_BIN, ["devices", "--url", "nowhere"]);
    expect(url.code).to.equal(2);
    expect(url.stderr).to.match(/^iogrid: --url: not a cluster URL or moniker .*: nowhere\n$/);
  });

  it("finds the cluster in $IOGRID_RPC_URL or the Solana CLI config when --url is not given", async () => {
    const fromEnv = await runCli(IOGRID_BIN, ["devices", "--gpu", "4090", "--json"], {
      env: { IOGRID_RPC_URL: n.net.rpcUrl, SOLANA_CONFIG: "", IOGRID_HOME: renter.home },
    });
    expect(jsonOf<{ devices: DeviceRow[] }>(fromEnv).devices).to.have.length(1);
    const config = join(renter.home, "..", "config.yml");
    writeFileSync(config, `json_rpc_url: "${n.net.rpcUrl}"\nkeypair_path: ${renter.keyFile}\n`);
    const fromConfig = await runCli(IOGRID_BIN, ["devices", "--gpu", "4090", "--json"], {
      env: { IOGRID_RPC_URL: "", SOLANA_CONFIG: config, IOGRID_HOME: renter.home },
    });
    expect(jsonOf<{ devices: DeviceRow[] }>(fromConfig).devices).to.have.length(1);
    const bad = await runCli(IOGRID_BIN, ["devices"], {
      env: { IOGRID_RPC_URL: "nowhere", SOLANA_CONFIG: config, IOGRID_HOME: renter.home },
    });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/\$IOGRID_RPC_URL: not a cluster URL or moniker/);
  });
});
