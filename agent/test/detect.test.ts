/**
 * Hardware detection against recorded nvidia-smi outputs (fixtures under fixtures/nvidia-smi,
 * replayed by fixtures/fake-nvidia-smi; no GPU on the test machines): the inventory parser, the
 * normalisation into the registry's record and GPU classes, driver failures, old drivers without
 * `compute_cap`, timeouts and machines without NVIDIA drivers.
 */
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  CPU_ONLY_MODEL,
  naToNull,
  normaliseHardware,
  numberOrNull,
  parseCudaVersion,
  parseGpuInventory,
  probeGpus,
} from "../src/detect.js";
import type { GpuProbe, HostFacts } from "../src/detect.js";
import { parseGpuTelemetry } from "../src/telemetry.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const FAKE = `${FIXTURES}fake-nvidia-smi`;

const HOST: HostFacts = {
  cpuModel: "AMD EPYC 9654 96-Core Processor",
  cpuCores: 192,
  ramMib: 1_548_288,
  diskGib: 7_153,
  os: "Ubuntu 22.04.4 LTS (Linux 5.15.0)",
};

async function replay(fixture: string, timeoutMs = 5_000): Promise<GpuProbe> {
  process.env.FAKE_NVIDIA_SMI_FIXTURE = `${FIXTURES}nvidia-smi/${fixture}`;
  try {
    return await probeGpus(FAKE, timeoutMs);
  } finally {
    delete process.env.FAKE_NVIDIA_SMI_FIXTURE;
  }
}

describe("detect (recorded nvidia-smi fixtures)", () => {
  it("8x H100 SXM: eight GPUs of the H100 class, VRAM per GPU, CUDA 12.2", async () => {
    const probe = await replay("h100-sxm-8x");
    expect(probe.status).to.equal("ok");
    const hw = normaliseHardware(probe, HOST);
    expect(hw.gpuModel).to.equal("NVIDIA H100 80GB HBM3");
    expect(hw.gpuClass).to.deep.equal({ pattern: "H100", multiplierCenti: 400 });
    expect(hw.specs.gpuCount).to.equal(8);
    expect(hw.specs.vramMib).to.equal(81_559);
    expect(hw.specs.cpuCores).to.equal(192);
    expect(hw.specs.ramMib).to.equal(1_548_288);
    expect(hw.specs.storageGib).to.equal(7_153);
    expect(hw.cudaVersion).to.equal("12.2");
    expect(hw.driverVersion).to.equal("535.129.03");
    expect(hw.gpus.map((g) => g.uuid)).to.have.length(8);
    expect(hw.gpus[7]).to.deep.equal({
      index: 7,
      uuid: "GPU-5a7c0a9e-31b2-7c4d-8e0f-1a2b3c4d5e67",
      name: "NVIDIA H100 80GB HBM3",
      memoryMib: 81_559,
      driverVersion: "535.129.03",
      pciBusId: "00000000:DB:00.0",
      computeCap: "9.0",
    });
    expect(hw.mixed).to.equal(false);
    expect(hw.warnings).to.deep.equal([]);
  });

  it("4x A100 80GB SXM4: the A100 class", async () => {
    const hw = normaliseHardware(await replay("a100-80gb-4x"), HOST);
    expect(hw.gpuModel).to.equal("NVIDIA A100-SXM4-80GB");
    expect(hw.gpuClass?.pattern).to.equal("A100");
    expect(hw.specs.gpuCount).to.equal(4);
    expect(hw.specs.vramMib).to.equal(81_920);
    expect(hw.cudaVersion).to.equal("12.0");
  });

  it("1x RTX 4090: the consumer class", async () => {
    const hw = normaliseHardware(await replay("rtx4090-1x"), HOST);
    expect(hw.gpuModel).to.equal("NVIDIA GeForce RTX 4090");
    expect(hw.gpuClass).to.deep.equal({ pattern: "RTX 4090", multiplierCenti: 150 });
    expect(hw.specs.gpuCount).to.equal(1);
    expect(hw.specs.vramMib).to.equal(24_564);
    expect(hw.cudaVersion).to.equal("12.4");
  });

  it("two models: recorded as the least capable model with every GPU and the smallest VRAM, warned", async () => {
    const hw = normaliseHardware(await replay("mixed-2"), HOST);
    expect(hw.mixed).to.equal(true);
    expect(hw.gpuModel).to.equal("NVIDIA GeForce RTX 3090");
    expect(hw.gpuClass?.pattern).to.equal("RTX 3090");
    expect(hw.specs.gpuCount).to.equal(2);
    expect(hw.specs.vramMib).to.equal(24_564);
    expect(hw.warnings).to.have.length(1);
    expect(hw.warnings[0]).to.match(/2 models .* recorded as 2x NVIDIA GeForce RTX 3090/);
  });

  it("an old driver without compute_cap: retried without the field", async () => {
    const probe = await replay("old-driver");
    expect(probe.status).to.equal("ok");
    const hw = normaliseHardware(probe, HOST);
    expect(hw.gpuModel).to.equal("Tesla T4");
    expect(hw.gpus[0]!.computeCap).to.equal(null);
    expect(hw.cudaVersion).to.equal("11.0");
  });

  it("nvidia-smi failing with a driver error: a CPU-only record and the error as a warning", async () => {
    const probe = await replay("driver-error");
    expect(probe.status).to.equal("failed");
    expect(probe.status === "failed" && probe.detail).to.match(
      /exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/,
    );
    const hw = normaliseHardware(probe, HOST);
    expect(hw.gpuModel).to.equal(CPU_ONLY_MODEL);
    expect(hw.specs.gpuCount).to.equal(1);
    expect(hw.specs.vramMib).to.equal(1);
    expect(hw.warnings[0]).to.match(/^GPU detection failed: /);
  });

  it("no GPU: no nvidia-smi at all, or one finding no device", async () => {
    const absent = await probeGpus("/nonexistent/nvidia-smi");
    expect(absent.status).to.equal("absent");
    const none = await replay("no-devices");
    expect(none.status).to.equal("absent");
    const hw = normaliseHardware(absent, HOST);
    expect(hw.gpuModel).to.equal(CPU_ONLY_MODEL);
    expect(hw.gpuClass).to.equal(null);
    expect(hw.warnings).to.deep.equal([]);
  });

  it("a hung nvidia-smi is cut off by the timeout", async () => {
    const started = Date.now();
    const probe = await replay("hang", 300);
    expect(probe.status).to.equal("failed");
    expect(probe.status === "failed" && probe.detail).to.match(/timed out after 300 ms/);
    expect(Date.now() - started).to.be.below(5_000);
  });

  it("N/A values become null, never NaN; malformed rows are refused", () => {
    for (const na of ["[N/A]", "N/A", "[Not Supported]", "", "  "])
      expect(naToNull(na)).to.equal(null);
    expect(numberOrNull("71.52")).to.equal(71.52);
    expect(numberOrNull("abc")).to.equal(null);
    expect(() => parseGpuInventory("0, GPU-x, name")).to.throw(/3 fields/);
    expect(parseCudaVersion("no header")).to.equal(null);
  });

  it("telemetry rows: temperature, power, utilisation, memory, N/A as null", async () => {
    const { readFileSync } = await import("node:fs");
    const rows = parseGpuTelemetry(
      readFileSync(`${FIXTURES}nvidia-smi/mixed-2.telemetry.csv`, "utf8"),
    );
    expect(rows).to.deep.equal([
      {
        index: 0,
        uuid: "GPU-7b6a5948-3726-1504-e3d2-c1b0a9f8e7d0",
        temperatureC: 47,
        powerW: 35.2,
        powerLimitW: 450,
        utilizationPct: 0,
        memoryUtilizationPct: 0,
        memoryUsedMib: 512,
        memoryTotalMib: 24_564,
      },
      {
        index: 1,
        uuid: "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        temperatureC: 52,
        powerW: null,
        powerLimitW: null,
        utilizationPct: null,
        memoryUtilizationPct: null,
        memoryUsedMib: 780,
        memoryTotalMib: 24_576,
      },
    ]);
  });
});
