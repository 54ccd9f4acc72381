/**
 * The sdk pieces the keeper's sending rests on, without a chain: a failed transaction's error
 * named whichever program failed (from the logs, from the failing instruction's program table, or
 * the runtime's own), never a bare number for an iogrid program; token amounts as people write
 * them; the RPC request pacer; the accounts a transaction writes and whether it fits a packet.
 */
import { setTimeout as sleep } from "node:timers/promises";

import { ComputeBudgetProgram, Keypair, SystemProgram } from "@solana/web3.js";
import { expect } from "chai";

import {
  IOTOKEN_PROGRAM_ID,
  IO_DECIMALS,
  REGISTRY_PROGRAM_ID,
  formatUnits,
  iotokenErrorCode,
  parseUnits,
  registryErrorCode,
  transactionErrorName,
} from "@iogrid/sdk";
import { RequestPacer, fitsTransaction, writableAccounts } from "@iogrid/sdk/node";

describe("keeper sending: error names, amounts, pacing, sizes", () => {
  it("names a transaction's error by the program that failed, from logs or its table", () => {
    const cb = ComputeBudgetProgram.programId;
    const programIds = [cb, cb, REGISTRY_PROGRAM_ID, IOTOKEN_PROGRAM_ID];
    const custom = (index: number, code: number) => ({
      InstructionError: [index, { Custom: code }],
    });
    expect(
      transactionErrorName(custom(2, registryErrorCode("EpochAlreadyClosed")), { programIds }),
    ).to.equal("EpochAlreadyClosed");
    // The same number in another program's table is that program's error.
    expect(
      transactionErrorName(custom(3, iotokenErrorCode("EpochRecordMismatch")), { programIds }),
    ).to.equal("EpochRecordMismatch");
    // Anchor's own errors (below 6000) have names too.
    expect(transactionErrorName(custom(2, 3012), { programIds })).to.equal("AccountNotInitialized");
    // An unknown program's number says whose it is.
    const stranger = Keypair.generate().publicKey;
    expect(transactionErrorName(custom(0, 6001), { programIds: [stranger] })).to.equal(
      `${stranger.toBase58().slice(0, 8)}:Custom(6001)`,
    );
    // Anchor's log line wins when the logs carry it.
    const logs = [
      `Program ${REGISTRY_PROGRAM_ID.toBase58()} invoke [1]`,
      "Program log: AnchorError occurred. Error Code: EpochSeedNotFixed. Error Number: 6050. Error Message: x.",
      `Program ${REGISTRY_PROGRAM_ID.toBase58()} failed: custom program error: 0x17b2`,
    ];
    expect(transactionErrorName(custom(2, 1), { logs, programIds })).to.equal("EpochSeedNotFixed");
    expect(
      transactionErrorName({ InstructionError: [0, "InvalidAccountData"] }, { programIds }),
    ).to.equal("InstructionError:InvalidAccountData");
    expect(transactionErrorName("BlockhashNotFound")).to.equal("BlockhashNotFound");
    expect(transactionErrorName({ InsufficientFundsForFee: null })).to.equal(
      "InsufficientFundsForFee",
    );
    expect(transactionErrorName(null)).to.equal(undefined);
  });

  it("token amounts: decimals as written, base units as counted", () => {
    expect(parseUnits("1000", IO_DECIMALS)).to.equal(100_000_000_000n);
    expect(parseUnits(" 0.5 ", IO_DECIMALS)).to.equal(50_000_000n);
    expect(parseUnits("1.000000001", IO_DECIMALS)).to.equal(undefined);
    for (const bad of ["", "-1", "1e3", "1.", ".5", "lots"]) {
      expect(parseUnits(bad, IO_DECIMALS), bad).to.equal(undefined);
    }
    expect(formatUnits(150_000_000n, IO_DECIMALS)).to.equal("1.5");
    expect(formatUnits(0n, IO_DECIMALS)).to.equal("0");
    expect(formatUnits(-1n, 6)).to.equal("-0.000001");
  });

  it("the request pacer lets a burst through, then paces to its rate, in order", async () => {
    const pacer = new RequestPacer(20, 2);
    const started = Date.now();
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => pacer.take().then(() => order.push(i))));
    const elapsed = Date.now() - started;
    expect(order).to.deep.equal([0, 1, 2, 3, 4, 5]);
    // Two at once, four more at 20 a second: about 200 ms.
    expect(elapsed).to.be.within(180, 1_000);
    await sleep(150);
    const burst = Date.now();
    await Promise.all([pacer.take(), pacer.take()]);
    expect(Date.now() - burst).to.be.below(60);
    expect(() => new RequestPacer(0)).to.throw(RangeError);
  });

  it("writable accounts for fee estimates, the payer first; whether instructions fit a packet", () => {
    const payer = Keypair.generate().publicKey;
    const to = Keypair.generate().publicKey;
    const transfer = SystemProgram.transfer({ fromPubkey: payer, toPubkey: to, lamports: 1 });
    expect(writableAccounts([transfer], payer).map(String)).to.deep.equal([payer, to].map(String));
    expect(fitsTransaction(payer, [transfer])).to.equal(true);
    const many = Array.from({ length: 40 }, () =>
      SystemProgram.transfer({
        fromPubkey: payer,
        toPubkey: Keypair.generate().publicKey,
        lamports: 1,
      }),
    );
    expect(fitsTransaction(payer, many)).to.equal(false);
  });
});
