/**
 * Stock `@solana/web3.js` v1 against the local chain: cluster info, transfers with exact
 * balances, every subscription and its removal, preflight and on-chain errors, duplicates,
 * versioned transactions with a lookup table, history, simulation, malformed JSON-RPC, and
 * persistence across a restart.
 */
import { utils } from "@coral-xyz/anchor";
import {
  ACCOUNT_SIZE,
  AccountLayout,
  MINT_SIZE,
  MintLayout,
  TOKEN_PROGRAM_ID,
  createAmountToUiAmountInstruction,
  createAssociatedTokenAccount,
  createMint,
  mintTo,
} from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  ComputeBudgetProgram,
  Keypair,
  LAMPORTS_PER_SOL,
  MessageV0,
  PublicKey,
  SendTransactionError,
  SystemProgram,
  Transaction,
  TransactionExpiredBlockheightExceededError,
  TransactionMessage,
  VersionedTransaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import type {
  AccountInfo,
  Connection,
  Context,
  KeyedAccountInfo,
  Logs,
  ParsedInstruction,
  SignatureResult,
  SlotInfo,
  TransactionSignature,
} from "@solana/web3.js";
import { expect } from "chai";
import WebSocket from "ws";

import { sendAndConfirm } from "@iogrid/sdk/node";

import {
  Collector,
  FEE_PER_SIGNATURE,
  airdrop,
  fundedKeypair,
  rejectionOf,
  sleep,
  waitFor,
} from "./support/chain.js";
import { startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";

/** Rent: 3,480 lamports per byte-year, exempt at two years, 128 bytes of account overhead. */
const rentExempt = (dataLen: number): number => (128 + dataLen) * 3480 * 2;

function transferTx(from: PublicKey, to: PublicKey, lamports: number): Transaction {
  return new Transaction().add(
    SystemProgram.transfer({ fromPubkey: from, toPubkey: to, lamports }),
  );
}

/** A legacy transfer, signed with a fresh blockhash, and its signature. */
async function signedTransfer(
  connection: Connection,
  from: Keypair,
  to: PublicKey,
  lamports: number,
): Promise<{ tx: Transaction; raw: Buffer; signature: TransactionSignature }> {
  const tx = transferTx(from.publicKey, to, lamports);
  tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
  tx.feePayer = from.publicKey;
  tx.sign(from);
  const signature = encodeSignature(tx);
  return { tx, raw: tx.serialize(), signature };
}

function encodeSignature(tx: Transaction): string {
  if (!tx.signature) throw new Error("unsigned transaction");
  return utils.bytes.bs58.encode(tx.signature);
}

async function confirmed(connection: Connection, signature: TransactionSignature): Promise<void> {
  await waitFor(`confirmation of ${signature}`, async () => {
    const { value } = await connection.getSignatureStatuses([signature]);
    const status = value[0];
    if (!status) return undefined;
    if (status.confirmationStatus === "processed") return undefined;
    return true;
  });
}

async function rpc(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as unknown };
}

interface RpcError {
  jsonrpc: string;
  id: unknown;
  error: { code: number; message: string };
}

describe("@solana/web3.js v1 against the local chain", function () {
  this.timeout(60_000);
  let net: Localnet;
  let connection: Connection;
  let payer: Keypair;

  before(async function () {
    this.timeout(120_000);
    net = await startLocalnet();
    connection = net.connection;
    payer = await fundedKeypair(connection, 100);
  });

  after(async () => {
    await net?.stop();
  });

  describe("cluster information", () => {
    it("getVersion reports a solana-core version and feature set", async () => {
      const version = await connection.getVersion();
      expect(version["solana-core"]).to.match(/^\d+\.\d+\.\d+/);
      expect(version["feature-set"]).to.be.a("number");
    });

    it("getHealth is ok", async () => {
      const { json } = await rpc(net.rpcUrl, '{"jsonrpc":"2.0","id":1,"method":"getHealth"}');
      expect(json).to.deep.equal({ jsonrpc: "2.0", result: "ok", id: 1 });
    });

    it("getSlot and getBlockHeight advance with the slot timer", async () => {
      const slot1 = await connection.getSlot();
      const height1 = await connection.getBlockHeight();
      expect(height1).to.be.at.most(slot1 + 1);
      await sleep(1_000);
      const slot2 = await connection.getSlot();
      const height2 = await connection.getBlockHeight();
      expect(slot2).to.be.at.least(slot1 + 2);
      expect(height2).to.be.greaterThan(height1);
    });

    it("getGenesisHash is a stable 32-byte hash", async () => {
      const hash = await connection.getGenesisHash();
      expect(new PublicKey(hash).toBase58()).to.equal(hash);
      expect(await connection.getGenesisHash()).to.equal(hash);
    });

    it("getEpochInfo is consistent with getSlot and getBlockHeight", async () => {
      const slot = await connection.getSlot();
      const height = await connection.getBlockHeight();
      const info = await connection.getEpochInfo();
      expect(info.absoluteSlot).to.be.at.least(slot);
      expect(info.absoluteSlot).to.be.below(slot + 20);
      expect(info.blockHeight).to.be.at.least(height);
      expect(info.slotIndex).to.be.below(info.slotsInEpoch);
      expect(info.slotIndex).to.be.at.most(info.absoluteSlot);
      expect(info.epoch).to.be.a("number");
    });

    it("getLatestBlockhash is valid for 150 blocks and rotates", async () => {
      const height = await connection.getBlockHeight();
      const latest = await connection.getLatestBlockhash();
      expect(new PublicKey(latest.blockhash).toBase58()).to.equal(latest.blockhash);
      expect(latest.lastValidBlockHeight - height).to.be.within(140, 151);
      expect((await connection.isBlockhashValid(latest.blockhash)).value).to.equal(true);
      const unknown = Keypair.generate().publicKey.toBase58();
      expect((await connection.isBlockhashValid(unknown)).value).to.equal(false);
      await sleep(500);
      const next = await connection.getLatestBlockhash();
      expect(next.blockhash).to.not.equal(latest.blockhash);
      expect(next.lastValidBlockHeight).to.be.greaterThan(latest.lastValidBlockHeight);
      expect((await connection.isBlockhashValid(latest.blockhash)).value).to.equal(true);
    });

    it("getFeeForMessage charges 5000 lamports per signature", async () => {
      const { blockhash } = await connection.getLatestBlockhash();
      const other = Keypair.generate();
      const one = transferTx(payer.publicKey, other.publicKey, 1);
      one.recentBlockhash = blockhash;
      one.feePayer = payer.publicKey;
      expect((await connection.getFeeForMessage(one.compileMessage())).value).to.equal(5000);
      const two = new Transaction().add(
        SystemProgram.transfer({
          fromPubkey: payer.publicKey,
          toPubkey: other.publicKey,
          lamports: 1,
        }),
        SystemProgram.transfer({
          fromPubkey: other.publicKey,
          toPubkey: payer.publicKey,
          lamports: 1,
        }),
      );
      two.recentBlockhash = blockhash;
      two.feePayer = payer.publicKey;
      expect((await connection.getFeeForMessage(two.compileMessage())).value).to.equal(10_000);
    });

    it("getMinimumBalanceForRentExemption follows the default rent", async () => {
      expect(await connection.getMinimumBalanceForRentExemption(0)).to.equal(890_880);
      expect(await connection.getMinimumBalanceForRentExemption(165)).to.equal(2_039_280);
      for (const size of [1, 82, 1000, 10_240]) {
        expect(await connection.getMinimumBalanceForRentExemption(size)).to.equal(rentExempt(size));
      }
    });
  });

  describe("airdrops and transfers", () => {
    it("requestAirdrop credits exactly the requested lamports", async () => {
      const wallet = Keypair.generate();
      expect(await connection.getBalance(wallet.publicKey)).to.equal(0);
      expect(await connection.getAccountInfo(wallet.publicKey)).to.equal(null);
      const signature = await airdrop(connection, wallet.publicKey, 3 * LAMPORTS_PER_SOL + 7);
      expect(await connection.getBalance(wallet.publicKey)).to.equal(3 * LAMPORTS_PER_SOL + 7);
      const { value } = await connection.getSignatureStatuses([signature]);
      expect(value[0]?.err).to.equal(null);
      const info = await connection.getAccountInfo(wallet.publicKey);
      expect(info?.owner.equals(SystemProgram.programId)).to.equal(true);
      expect(info?.data.length).to.equal(0);
      expect(info?.executable).to.equal(false);
    });

    it("sendAndConfirmTransaction moves exact balances and charges 5000 per signature", async () => {
      const from = await fundedKeypair(connection, 5);
      const to = Keypair.generate();
      await sendAndConfirmTransaction(
        connection,
        transferTx(from.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [from],
      );
      expect(await connection.getBalance(from.publicKey)).to.equal(
        4 * LAMPORTS_PER_SOL - FEE_PER_SIGNATURE,
      );
      expect(await connection.getBalance(to.publicKey)).to.equal(LAMPORTS_PER_SOL);

      // Two signers: the fee payer pays both signatures.
      const tx = new Transaction().add(
        SystemProgram.transfer({
          fromPubkey: from.publicKey,
          toPubkey: to.publicKey,
          lamports: 1_000,
        }),
        SystemProgram.transfer({
          fromPubkey: to.publicKey,
          toPubkey: from.publicKey,
          lamports: 250,
        }),
      );
      tx.feePayer = from.publicKey;
      await sendAndConfirmTransaction(connection, tx, [from, to]);
      expect(await connection.getBalance(from.publicKey)).to.equal(
        4 * LAMPORTS_PER_SOL - 3 * FEE_PER_SIGNATURE - 1_000 + 250,
      );
      expect(await connection.getBalance(to.publicKey)).to.equal(LAMPORTS_PER_SOL + 1_000 - 250);
    });

    it("refuses a transfer that leaves a new account below rent exemption", async () => {
      const from = await fundedKeypair(connection, 1);
      const to = Keypair.generate();
      const err = await rejectionOf(
        sendAndConfirmTransaction(connection, transferTx(from.publicKey, to.publicKey, 1_000), [
          from,
        ]),
      );
      expect(err).to.be.instanceOf(SendTransactionError);
      expect((err as Error).message).to.match(/insufficient funds for rent/i);
      expect(await connection.getBalance(from.publicKey)).to.equal(LAMPORTS_PER_SOL);
      expect(await connection.getBalance(to.publicKey)).to.equal(0);
    });

    it("getMultipleAccountsInfo returns accounts in order, null for missing ones", async () => {
      const a = await fundedKeypair(connection, 2);
      const missing = Keypair.generate().publicKey;
      const infos = await connection.getMultipleAccountsInfo([
        a.publicKey,
        missing,
        payer.publicKey,
      ]);
      expect(infos).to.have.length(3);
      expect(infos[0]?.lamports).to.equal(2 * LAMPORTS_PER_SOL);
      expect(infos[1]).to.equal(null);
      expect(infos[2]?.lamports).to.equal(await connection.getBalance(payer.publicKey));
    });
  });

  describe("subscriptions", () => {
    it("onSignature notifies once the transaction lands, and a removed one never fires", async () => {
      const to = Keypair.generate();
      const { raw, signature } = await signedTransfer(
        connection,
        payer,
        to.publicKey,
        LAMPORTS_PER_SOL,
      );
      const results = new Collector<[SignatureResult, Context]>();
      connection.onSignature(
        signature,
        (result, context) => results.push([result, context]),
        "confirmed",
      );

      const removed = await signedTransfer(connection, payer, to.publicKey, LAMPORTS_PER_SOL + 1);
      const removedResults = new Collector<SignatureResult>();
      const removedId = connection.onSignature(removed.signature, removedResults.push, "confirmed");
      await connection.removeSignatureListener(removedId);

      await connection.sendRawTransaction(raw);
      await connection.sendRawTransaction(removed.raw);
      const [result, context] = await results.next("signature notification");
      expect(result.err).to.equal(null);
      const { value } = await connection.getSignatureStatuses([signature]);
      expect(context.slot).to.equal(value[0]?.slot);

      await confirmed(connection, removed.signature);
      await sleep(500);
      expect(removedResults.count).to.equal(0);
      expect(results.count).to.equal(1);
    });

    it("onSignature reports a failed transaction's error", async () => {
      const poor = await fundedKeypair(connection, 1);
      const { raw, signature } = await signedTransfer(
        connection,
        poor,
        Keypair.generate().publicKey,
        2 * LAMPORTS_PER_SOL,
      );
      const results = new Collector<SignatureResult>();
      connection.onSignature(signature, results.push, "confirmed");
      await connection.sendRawTransaction(raw, { skipPreflight: true });
      const result = await results.next("signature notification");
      expect(result.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
    });

    it("onAccountChange follows an account until removed", async () => {
      const watched = Keypair.generate();
      const changes = new Collector<[AccountInfo<Buffer>, Context]>();
      const id = connection.onAccountChange(
        watched.publicKey,
        (info, context) => changes.push([info, context]),
        "confirmed",
      );
      await sleep(200); // let the subscription reach the server
      await airdrop(connection, watched.publicKey, 2 * LAMPORTS_PER_SOL);
      const [first] = await changes.next("account change after airdrop");
      expect(first.lamports).to.equal(2 * LAMPORTS_PER_SOL);
      expect(first.owner.equals(SystemProgram.programId)).to.equal(true);
      expect(first.data.length).to.equal(0);

      await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, watched.publicKey, LAMPORTS_PER_SOL),
        [payer],
      );
      const [second, context] = await changes.next("account change after transfer");
      expect(second.lamports).to.equal(3 * LAMPORTS_PER_SOL);
      expect(context.slot).to.be.a("number");

      await connection.removeAccountChangeListener(id);
      const before = changes.count;
      await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, watched.publicKey, LAMPORTS_PER_SOL),
        [payer],
      );
      await sleep(500);
      expect(changes.count).to.equal(before);
      expect(await connection.getBalance(watched.publicKey)).to.equal(4 * LAMPORTS_PER_SOL);
    });

    it("onProgramAccountChange applies dataSize and memcmp filters, until removed", async () => {
      const mintAuthority = Keypair.generate();
      const mint = await createMint(connection, payer, mintAuthority.publicKey, null, 6);
      const alice = Keypair.generate();
      const bob = Keypair.generate();
      const aliceAta = await createAssociatedTokenAccount(connection, payer, mint, alice.publicKey);
      const bobAta = await createAssociatedTokenAccount(connection, payer, mint, bob.publicKey);

      const aliceChanges = new Collector<KeyedAccountInfo>();
      const aliceId = connection.onProgramAccountChange(TOKEN_PROGRAM_ID, aliceChanges.push, {
        commitment: "confirmed",
        filters: [
          { dataSize: ACCOUNT_SIZE },
          { memcmp: { offset: 32, bytes: alice.publicKey.toBase58() } },
        ],
      });
      const mintChanges = new Collector<KeyedAccountInfo>();
      const mintId = connection.onProgramAccountChange(TOKEN_PROGRAM_ID, mintChanges.push, {
        commitment: "confirmed",
        filters: [{ dataSize: MINT_SIZE }],
      });
      await sleep(200);

      await mintTo(connection, payer, mint, bobAta, mintAuthority, 5_000_000);
      await mintTo(connection, payer, mint, aliceAta, mintAuthority, 7_000_000);

      const aliceChange = await aliceChanges.next("alice's token account change");
      expect(aliceChange.accountId.equals(aliceAta)).to.equal(true);
      expect(aliceChange.accountInfo.owner.equals(TOKEN_PROGRAM_ID)).to.equal(true);
      expect(AccountLayout.decode(aliceChange.accountInfo.data).amount).to.equal(7_000_000n);

      const supplies = [];
      for (let i = 0; i < 2; i++) {
        const change = await mintChanges.next("mint supply change", (c) =>
          c.accountId.equals(mint),
        );
        supplies.push(MintLayout.decode(change.accountInfo.data).supply);
      }
      expect(supplies).to.deep.equal([5_000_000n, 12_000_000n]);
      for (const change of mintChanges.items) {
        expect(change.accountInfo.data.length).to.equal(MINT_SIZE);
      }

      await sleep(300);
      // Bob's account matched dataSize but not the memcmp filter.
      expect(aliceChanges.items.map((c) => c.accountId.toBase58())).to.deep.equal([
        aliceAta.toBase58(),
      ]);

      await connection.removeProgramAccountChangeListener(aliceId);
      await connection.removeProgramAccountChangeListener(mintId);
      const aliceCount = aliceChanges.count;
      const mintCount = mintChanges.count;
      await mintTo(connection, payer, mint, aliceAta, mintAuthority, 1);
      await sleep(500);
      expect(aliceChanges.count).to.equal(aliceCount);
      expect(mintChanges.count).to.equal(mintCount);
    });

    it("onLogs('all') delivers every transaction's logs, until removed", async () => {
      const logs = new Collector<[Logs, Context]>();
      const id = connection.onLogs("all", (l, c) => logs.push([l, c]), "confirmed");
      await sleep(200);
      const to = Keypair.generate();
      const signature = await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [payer],
      );
      const [entry] = await logs.next("logs of the transfer", ([l]) => l.signature === signature);
      expect(entry.err).to.equal(null);
      expect(entry.logs).to.deep.equal([
        "Program 11111111111111111111111111111111 invoke [1]",
        "Program 11111111111111111111111111111111 success",
      ]);

      await connection.removeOnLogsListener(id);
      const before = logs.count;
      await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [payer],
      );
      await sleep(500);
      expect(logs.count).to.equal(before);
    });

    it("onLogs(pubkey) delivers only transactions mentioning the key, until removed", async () => {
      const watched = Keypair.generate().publicKey;
      const other = Keypair.generate().publicKey;
      const logs = new Collector<Logs>();
      const id = connection.onLogs(watched, logs.push, "confirmed");
      await sleep(200);
      const otherSig = await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, other, LAMPORTS_PER_SOL),
        [payer],
      );
      const watchedSig = await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, watched, LAMPORTS_PER_SOL),
        [payer],
      );
      const entry = await logs.next("logs mentioning the key");
      expect(entry.signature).to.equal(watchedSig);
      await sleep(300);
      expect(logs.items.map((l) => l.signature)).to.deep.equal([watchedSig]);
      expect(logs.items.map((l) => l.signature)).to.not.include(otherSig);

      await connection.removeOnLogsListener(id);
      await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, watched, LAMPORTS_PER_SOL),
        [payer],
      );
      await sleep(500);
      expect(logs.count).to.equal(1);
    });

    it("onSlotChange reports increasing slots, until removed", async () => {
      const slots = new Collector<SlotInfo>();
      const id = connection.onSlotChange(slots.push);
      const seen: SlotInfo[] = [];
      for (let i = 0; i < 4; i++) seen.push(await slots.next("slot notification"));
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]!.slot).to.be.greaterThan(seen[i - 1]!.slot);
      }
      for (const info of seen) {
        expect(info.parent).to.be.below(info.slot);
        expect(info.root).to.be.at.most(info.slot);
      }
      const now = await connection.getSlot("processed");
      expect(now).to.be.at.least(seen[seen.length - 1]!.slot);

      await connection.removeSlotChangeListener(id);
      await sleep(300);
      const count = slots.count;
      await sleep(500);
      expect(slots.count).to.equal(count);
    });

    it("the websocket server acknowledges unsubscribes and stops notifying", async () => {
      const ws = new WebSocket(net.wsUrl);
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      const messages = new Collector<Record<string, unknown>>();
      ws.on("message", (data: Buffer) =>
        messages.push(JSON.parse(data.toString()) as Record<string, unknown>),
      );
      try {
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "slotSubscribe" }));
        const ack = await messages.next("slotSubscribe result", (m) => m.id === 1);
        const subscription = ack.result;
        expect(subscription).to.be.a("number");
        const note = await messages.next(
          "slotNotification",
          (m) => m.method === "slotNotification",
        );
        expect((note.params as { subscription: unknown }).subscription).to.equal(subscription);

        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 2,
            method: "slotUnsubscribe",
            params: [subscription],
          }),
        );
        const unsub = await messages.next("slotUnsubscribe result", (m) => m.id === 2);
        expect(unsub.result).to.equal(true);
        await sleep(200);
        const count = messages.count;
        await sleep(500);
        expect(
          messages.items.slice(count).filter((m) => m.method === "slotNotification"),
        ).to.have.length(0);

        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 3,
            method: "slotUnsubscribe",
            params: [subscription],
          }),
        );
        const again = await messages.next("second slotUnsubscribe", (m) => m.id === 3);
        expect(again.error, JSON.stringify(again)).to.be.an("object");

        ws.send("{not json");
        const parseError = await messages.next(
          "parse error",
          (m) => m.error !== undefined && m.id === null,
        );
        expect((parseError.error as { code: number }).code).to.equal(-32700);

        // The socket still serves after the errors.
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "slotSubscribe" }));
        const ack2 = await messages.next("slotSubscribe after errors", (m) => m.id === 4);
        expect(ack2.result).to.be.a("number");
      } finally {
        ws.close();
      }
    });

    it("the websocket server completes a client's close handshake", async () => {
      const ws = new WebSocket(net.wsUrl);
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      ws.close(1000, "done");
      // 1006 would mean the server dropped the connection without answering the close frame,
      // which makes clients (rpc-websockets in web3.js) reconnect.
      expect(await closed).to.equal(1000);
    });
  });

  describe("errors", () => {
    it("preflight rejects an overdraft with SendTransactionError carrying the logs", async () => {
      const poor = await fundedKeypair(connection, 1);
      const to = Keypair.generate();
      const err = await rejectionOf(
        sendAndConfirmTransaction(
          connection,
          transferTx(poor.publicKey, to.publicKey, 2 * LAMPORTS_PER_SOL),
          [poor],
        ),
      );
      expect(err).to.be.instanceOf(SendTransactionError);
      const sendError = err as SendTransactionError;
      expect(sendError.message).to.include("custom program error: 0x1");
      expect(sendError.logs).to.be.an("array");
      expect(sendError.logs).to.include("Program 11111111111111111111111111111111 invoke [1]");
      expect(
        sendError.logs?.some((l) => /^Transfer: insufficient lamports \d+, need \d+$/.test(l)),
      ).to.equal(true);
      expect(sendError.logs).to.include(
        "Program 11111111111111111111111111111111 failed: custom program error: 0x1",
      );
      // Preflight failures cost nothing.
      expect(await connection.getBalance(poor.publicKey)).to.equal(LAMPORTS_PER_SOL);
    });

    it("with skipPreflight a failing transaction lands, records its error and pays the fee", async () => {
      const poor = await fundedKeypair(connection, 1);
      const to = Keypair.generate();
      const { raw, signature } = await signedTransfer(
        connection,
        poor,
        to.publicKey,
        2 * LAMPORTS_PER_SOL,
      );
      expect(await connection.sendRawTransaction(raw, { skipPreflight: true })).to.equal(signature);
      await confirmed(connection, signature);
      const { value } = await connection.getSignatureStatuses([signature]);
      expect(value[0]?.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
      const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
      expect(tx?.meta?.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
      expect(tx?.meta?.fee).to.equal(FEE_PER_SIGNATURE);
      expect(tx?.meta?.preBalances[0]).to.equal(LAMPORTS_PER_SOL);
      expect(tx?.meta?.postBalances[0]).to.equal(LAMPORTS_PER_SOL - FEE_PER_SIGNATURE);
      expect(
        tx?.meta?.logMessages?.some((l) => l.startsWith("Transfer: insufficient lamports")),
      ).to.equal(true);
      expect(await connection.getBalance(poor.publicKey)).to.equal(
        LAMPORTS_PER_SOL - FEE_PER_SIGNATURE,
      );
      expect(await connection.getBalance(to.publicKey)).to.equal(0);
    });

    it("a duplicate of a signed transaction is never executed twice", async () => {
      const from = await fundedKeypair(connection, 5);
      const to = Keypair.generate();
      const { raw, signature } = await signedTransfer(
        connection,
        from,
        to.publicKey,
        LAMPORTS_PER_SOL,
      );
      // Twice at once, then again after it landed.
      const sent = await Promise.all([
        connection.sendRawTransaction(raw, { skipPreflight: true }),
        connection.sendRawTransaction(raw, { skipPreflight: true }),
      ]);
      expect(sent).to.deep.equal([signature, signature]);
      await confirmed(connection, signature);
      expect(await connection.sendRawTransaction(raw, { skipPreflight: true })).to.equal(signature);
      const err = await rejectionOf(connection.sendRawTransaction(raw));
      expect(err).to.be.instanceOf(SendTransactionError);
      expect((err as Error).message).to.match(/already been processed/);
      await sleep(500);
      expect(await connection.getBalance(to.publicKey)).to.equal(LAMPORTS_PER_SOL);
      expect(await connection.getBalance(from.publicKey)).to.equal(
        4 * LAMPORTS_PER_SOL - FEE_PER_SIGNATURE,
      );
    });

    it("a transaction with an unknown blockhash is refused", async () => {
      const tx = transferTx(payer.publicKey, Keypair.generate().publicKey, LAMPORTS_PER_SOL);
      tx.recentBlockhash = Keypair.generate().publicKey.toBase58();
      tx.feePayer = payer.publicKey;
      tx.sign(payer);
      const before = await connection.getBalance(payer.publicKey);
      const err = await rejectionOf(connection.sendRawTransaction(tx.serialize()));
      expect(err).to.be.instanceOf(SendTransactionError);
      expect((err as Error).message).to.match(/Blockhash not found/);
      expect(await connection.getBalance(payer.publicKey)).to.equal(before);
    });

    it("without preflight an unknown blockhash is accepted but never lands (sdk sendAndConfirm: expired)", async () => {
      const from = await fundedKeypair(connection, 1);
      const tx = transferTx(from.publicKey, Keypair.generate().publicKey, 1_000_000);
      tx.recentBlockhash = Keypair.generate().publicKey.toBase58();
      tx.feePayer = from.publicKey;
      const err = await rejectionOf(
        sendAndConfirm(connection, tx, [from], { skipPreflight: true, pollIntervalMs: 100 }),
      );
      expect(err).to.be.instanceOf(TransactionExpiredBlockheightExceededError);
      const signature = (err as TransactionExpiredBlockheightExceededError).signature;
      const { value } = await connection.getSignatureStatuses([signature], {
        searchTransactionHistory: true,
      });
      expect(value[0]).to.equal(null);
      expect(await connection.getBalance(from.publicKey)).to.equal(LAMPORTS_PER_SOL);
    });

    it("a blockhash expires after 150 blocks", async function () {
      this.timeout(90_000);
      const latest = await connection.getLatestBlockhash();
      const tx = transferTx(payer.publicKey, Keypair.generate().publicKey, LAMPORTS_PER_SOL);
      tx.recentBlockhash = latest.blockhash;
      tx.feePayer = payer.publicKey;
      tx.sign(payer);
      await waitFor(
        "the block height to pass lastValidBlockHeight",
        async () =>
          (await connection.getBlockHeight()) > latest.lastValidBlockHeight ? true : undefined,
        60_000,
        250,
      );
      expect((await connection.isBlockhashValid(latest.blockhash)).value).to.equal(false);
      const err = await rejectionOf(connection.sendRawTransaction(tx.serialize()));
      expect(err).to.be.instanceOf(SendTransactionError);
      expect((err as Error).message).to.match(/Blockhash not found/);
    });
  });

  describe("versioned transactions", () => {
    it("sends a v0 transaction", async () => {
      const from = await fundedKeypair(connection, 3);
      const to = Keypair.generate();
      const { blockhash } = await connection.getLatestBlockhash();
      const message = MessageV0.compile({
        payerKey: from.publicKey,
        recentBlockhash: blockhash,
        instructions: [
          SystemProgram.transfer({
            fromPubkey: from.publicKey,
            toPubkey: to.publicKey,
            lamports: LAMPORTS_PER_SOL,
          }),
        ],
      });
      const tx = new VersionedTransaction(message);
      tx.sign([from]);
      const signature = await connection.sendTransaction(tx);
      await confirmed(connection, signature);
      expect(await connection.getBalance(to.publicKey)).to.equal(LAMPORTS_PER_SOL);
      expect(await connection.getBalance(from.publicKey)).to.equal(
        2 * LAMPORTS_PER_SOL - FEE_PER_SIGNATURE,
      );
      const fetched = await connection.getTransaction(signature, {
        maxSupportedTransactionVersion: 0,
      });
      expect(fetched?.version).to.equal(0);
      expect(fetched?.meta?.fee).to.equal(FEE_PER_SIGNATURE);
    });

    it("sends a v0 transaction through an address lookup table created on chain", async function () {
      this.timeout(60_000);
      const authority = await fundedKeypair(connection, 10);
      const recipients = [Keypair.generate(), Keypair.generate(), Keypair.generate()].map(
        (k) => k.publicKey,
      );
      const recentSlot = await connection.getSlot("finalized");
      const [createIx, table] = AddressLookupTableProgram.createLookupTable({
        authority: authority.publicKey,
        payer: authority.publicKey,
        recentSlot,
      });
      const extendIx = AddressLookupTableProgram.extendLookupTable({
        authority: authority.publicKey,
        payer: authority.publicKey,
        lookupTable: table,
        addresses: recipients,
      });
      const createSig = await sendAndConfirmTransaction(
        connection,
        new Transaction().add(createIx, extendIx),
        [authority],
      );
      const created = await connection.getTransaction(createSig, {
        maxSupportedTransactionVersion: 0,
      });

      const tableInfo = await connection.getAccountInfo(table);
      expect(tableInfo?.owner.equals(AddressLookupTableProgram.programId)).to.equal(true);
      expect(tableInfo?.data.length).to.equal(56 + 32 * recipients.length);
      expect(tableInfo?.lamports).to.equal(rentExempt(56 + 32 * recipients.length));
      expect(await connection.getBalance(authority.publicKey)).to.equal(
        10 * LAMPORTS_PER_SOL - FEE_PER_SIGNATURE - rentExempt(56 + 32 * recipients.length),
      );

      // Addresses appended in a slot are usable from the next slot on.
      await waitFor("a slot after the extension", async () =>
        (await connection.getSlot()) > (created?.slot ?? 0) + 1 ? true : undefined,
      );
      const lookup = (await connection.getAddressLookupTable(table)).value;
      expect(lookup).to.not.equal(null);
      expect(lookup!.state.addresses.map((a) => a.toBase58())).to.deep.equal(
        recipients.map((r) => r.toBase58()),
      );
      expect(lookup!.state.authority?.equals(authority.publicKey)).to.equal(true);

      const { blockhash } = await connection.getLatestBlockhash();
      const message = new TransactionMessage({
        payerKey: authority.publicKey,
        recentBlockhash: blockhash,
        instructions: recipients.map((r, i) =>
          SystemProgram.transfer({
            fromPubkey: authority.publicKey,
            toPubkey: r,
            lamports: LAMPORTS_PER_SOL + i,
          }),
        ),
      }).compileToV0Message([lookup!]);
      expect(message.addressTableLookups).to.have.length(1);
      expect(message.staticAccountKeys.map((k) => k.toBase58())).to.not.include(
        recipients[0]!.toBase58(),
      );
      const tx = new VersionedTransaction(message);
      tx.sign([authority]);
      const before = await connection.getBalance(authority.publicKey);
      const signature = await connection.sendTransaction(tx);
      await confirmed(connection, signature);
      for (const [i, r] of recipients.entries()) {
        expect(await connection.getBalance(r)).to.equal(LAMPORTS_PER_SOL + i);
      }
      expect(await connection.getBalance(authority.publicKey)).to.equal(
        before - FEE_PER_SIGNATURE - 3 * LAMPORTS_PER_SOL - 3,
      );
      const fetched = await connection.getTransaction(signature, {
        maxSupportedTransactionVersion: 0,
      });
      expect(fetched?.meta?.loadedAddresses?.writable.map((k) => k.toBase58())).to.deep.equal(
        recipients.map((r) => r.toBase58()),
      );
      expect(fetched?.meta?.loadedAddresses?.readonly).to.deep.equal([]);
    });
  });

  describe("history, simulation and fees", () => {
    it("getTransaction returns json and jsonParsed forms with exact balances", async () => {
      const from = await fundedKeypair(connection, 2);
      const to = Keypair.generate();
      const signature = await sendAndConfirmTransaction(
        connection,
        transferTx(from.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [from],
      );
      const { value } = await connection.getSignatureStatuses([signature]);
      const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
      expect(tx).to.not.equal(null);
      expect(tx!.slot).to.equal(value[0]?.slot);
      expect(tx!.version).to.equal("legacy");
      expect(tx!.blockTime).to.be.within(Date.now() / 1000 - 120, Date.now() / 1000 + 5);
      expect(tx!.meta?.fee).to.equal(FEE_PER_SIGNATURE);
      expect(tx!.meta?.err).to.equal(null);
      expect(tx!.meta?.preBalances.slice(0, 2)).to.deep.equal([2 * LAMPORTS_PER_SOL, 0]);
      expect(tx!.meta?.postBalances.slice(0, 2)).to.deep.equal([
        LAMPORTS_PER_SOL - FEE_PER_SIGNATURE,
        LAMPORTS_PER_SOL,
      ]);
      const keys = tx!.transaction.message.staticAccountKeys.map((k) => k.toBase58());
      expect(keys).to.deep.equal([
        from.publicKey.toBase58(),
        to.publicKey.toBase58(),
        SystemProgram.programId.toBase58(),
      ]);
      expect(tx!.transaction.signatures).to.deep.equal([signature]);

      const parsed = await connection.getParsedTransaction(signature, {
        maxSupportedTransactionVersion: 0,
      });
      const ix = parsed?.transaction.message.instructions[0] as ParsedInstruction;
      expect(ix.program).to.equal("system");
      expect(ix.programId.equals(SystemProgram.programId)).to.equal(true);
      expect(ix.parsed).to.deep.equal({
        type: "transfer",
        info: {
          source: from.publicKey.toBase58(),
          destination: to.publicKey.toBase58(),
          lamports: LAMPORTS_PER_SOL,
        },
      });
      const accountKeys = parsed?.transaction.message.accountKeys ?? [];
      expect(accountKeys.map((k) => [k.pubkey.toBase58(), k.signer, k.writable])).to.deep.equal([
        [from.publicKey.toBase58(), true, true],
        [to.publicKey.toBase58(), false, true],
        [SystemProgram.programId.toBase58(), false, false],
      ]);
    });

    it("getSignaturesForAddress lists newest first, with limit and before", async () => {
      const wallet = await fundedKeypair(connection, 5);
      const sinks = [Keypair.generate(), Keypair.generate(), Keypair.generate()];
      const sent: string[] = [];
      for (const sink of sinks) {
        sent.push(
          await sendAndConfirmTransaction(
            connection,
            transferTx(wallet.publicKey, sink.publicKey, LAMPORTS_PER_SOL),
            [wallet],
          ),
        );
      }
      const all = await connection.getSignaturesForAddress(wallet.publicKey);
      expect(all.slice(0, 3).map((s) => s.signature)).to.deep.equal([...sent].reverse());
      expect(all).to.have.length(4); // and the airdrop
      for (let i = 1; i < all.length; i++) expect(all[i]!.slot).to.be.at.most(all[i - 1]!.slot);
      for (const entry of all) expect(entry.err).to.equal(null);

      const limited = await connection.getSignaturesForAddress(wallet.publicKey, { limit: 2 });
      expect(limited.map((s) => s.signature)).to.deep.equal([sent[2], sent[1]]);
      const older = await connection.getSignaturesForAddress(wallet.publicKey, { before: sent[1] });
      expect(older.map((s) => s.signature)).to.deep.equal(all.slice(2).map((s) => s.signature));
      const sink = await connection.getSignaturesForAddress(sinks[1]!.publicKey);
      expect(sink.map((s) => s.signature)).to.deep.equal([sent[1]]);
    });

    it("getSignatureStatuses reports landed and unknown signatures", async () => {
      const to = Keypair.generate();
      const signature = await sendAndConfirmTransaction(
        connection,
        transferTx(payer.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [payer],
      );
      const unknown = utils.bytes.bs58.encode(Keypair.generate().secretKey);
      const { value } = await connection.getSignatureStatuses([signature, unknown], {
        searchTransactionHistory: true,
      });
      expect(value).to.have.length(2);
      expect(value[0]?.err).to.equal(null);
      expect(value[0]?.slot).to.be.a("number");
      expect(["confirmed", "finalized"]).to.include(value[0]?.confirmationStatus);
      expect(value[1]).to.equal(null);
    });

    it("simulateTransaction returns logs, units consumed and return data without changing state", async () => {
      const from = await fundedKeypair(connection, 2);
      const to = Keypair.generate();
      const { blockhash } = await connection.getLatestBlockhash();
      const transfer = new VersionedTransaction(
        MessageV0.compile({
          payerKey: from.publicKey,
          recentBlockhash: blockhash,
          instructions: [
            SystemProgram.transfer({
              fromPubkey: from.publicKey,
              toPubkey: to.publicKey,
              lamports: LAMPORTS_PER_SOL,
            }),
          ],
        }),
      );
      transfer.sign([from]);
      const simulated = await connection.simulateTransaction(transfer, { sigVerify: true });
      expect(simulated.value.err).to.equal(null);
      expect(simulated.value.logs).to.deep.equal([
        "Program 11111111111111111111111111111111 invoke [1]",
        "Program 11111111111111111111111111111111 success",
      ]);
      expect(simulated.value.unitsConsumed).to.equal(150);
      expect(await connection.getBalance(from.publicKey)).to.equal(2 * LAMPORTS_PER_SOL);
      expect(await connection.getBalance(to.publicKey)).to.equal(0);

      const overdraft = new VersionedTransaction(
        MessageV0.compile({
          payerKey: from.publicKey,
          recentBlockhash: blockhash,
          instructions: [
            SystemProgram.transfer({
              fromPubkey: from.publicKey,
              toPubkey: to.publicKey,
              lamports: 5 * LAMPORTS_PER_SOL,
            }),
          ],
        }),
      );
      const failed = await connection.simulateTransaction(overdraft, {
        sigVerify: false,
        replaceRecentBlockhash: true,
      });
      expect(failed.value.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
      expect(
        failed.value.logs?.some((l) => l.startsWith("Transfer: insufficient lamports")),
      ).to.equal(true);

      const mint = await createMint(connection, payer, payer.publicKey, null, 6);
      const uiAmount = new VersionedTransaction(
        MessageV0.compile({
          payerKey: from.publicKey,
          recentBlockhash: blockhash,
          instructions: [createAmountToUiAmountInstruction(mint, 1_234_567n)],
        }),
      );
      const withReturn = await connection.simulateTransaction(uiAmount, {
        sigVerify: false,
        replaceRecentBlockhash: true,
      });
      expect(withReturn.value.err).to.equal(null);
      expect(withReturn.value.returnData?.programId).to.equal(TOKEN_PROGRAM_ID.toBase58());
      const [data, encoding] = withReturn.value.returnData!.data;
      expect(encoding).to.equal("base64");
      expect(Buffer.from(data, "base64").toString("utf8")).to.equal("1.234567");
      expect(withReturn.value.unitsConsumed).to.be.greaterThan(0);
    });

    it("priority fees are charged: compute unit price times the requested limit", async () => {
      const from = await fundedKeypair(connection, 2);
      const to = Keypair.generate();
      const microLamports = 1_000_000; // per compute unit
      const units = 10_000;
      const tx = new Transaction().add(
        ComputeBudgetProgram.setComputeUnitLimit({ units }),
        ComputeBudgetProgram.setComputeUnitPrice({ microLamports }),
        SystemProgram.transfer({
          fromPubkey: from.publicKey,
          toPubkey: to.publicKey,
          lamports: LAMPORTS_PER_SOL,
        }),
      );
      const signature = await sendAndConfirmTransaction(connection, tx, [from]);
      const priorityFee = (microLamports * units) / 1_000_000;
      const fetched = await connection.getTransaction(signature, {
        maxSupportedTransactionVersion: 0,
      });
      expect(fetched?.meta?.fee).to.equal(FEE_PER_SIGNATURE + priorityFee);
      expect(await connection.getBalance(from.publicKey)).to.equal(
        LAMPORTS_PER_SOL - FEE_PER_SIGNATURE - priorityFee,
      );
    });

    it("getRecentPrioritizationFees reports the price paid in a slot for a written account", async () => {
      const from = await fundedKeypair(connection, 2);
      const to = Keypair.generate();
      const microLamports = 777;
      const tx = new Transaction().add(
        ComputeBudgetProgram.setComputeUnitPrice({ microLamports }),
        SystemProgram.transfer({
          fromPubkey: from.publicKey,
          toPubkey: to.publicKey,
          lamports: LAMPORTS_PER_SOL,
        }),
      );
      const signature = await sendAndConfirmTransaction(connection, tx, [from]);
      const { value } = await connection.getSignatureStatuses([signature]);
      const slot = value[0]?.slot;

      const fees = await connection.getRecentPrioritizationFees({
        lockedWritableAccounts: [to.publicKey],
      });
      expect(fees.length).to.be.greaterThan(0);
      expect(fees.find((f) => f.slot === slot)?.prioritizationFee).to.equal(microLamports);
      for (const f of fees) expect(f.prioritizationFee).to.be.a("number");
      // Without accounts each slot reports its block's minimum price, which the free airdrops of
      // other tests may set to zero.
      const global = await connection.getRecentPrioritizationFees();
      expect(global.map((f) => f.slot)).to.include(slot);
    });

    it("getProgramAccounts applies dataSize and memcmp filters", async () => {
      const mint = await createMint(connection, payer, payer.publicKey, null, 9);
      const holder = Keypair.generate();
      const ata = await createAssociatedTokenAccount(connection, payer, mint, holder.publicKey);
      await createAssociatedTokenAccount(connection, payer, mint, Keypair.generate().publicKey);
      const byOwner = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [
          { dataSize: ACCOUNT_SIZE },
          { memcmp: { offset: 32, bytes: holder.publicKey.toBase58() } },
        ],
      });
      expect(byOwner.map((a) => a.pubkey.toBase58())).to.deep.equal([ata.toBase58()]);
      expect(byOwner[0]!.account.lamports).to.equal(rentExempt(ACCOUNT_SIZE));
      const byMint = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [{ dataSize: ACCOUNT_SIZE }, { memcmp: { offset: 0, bytes: mint.toBase58() } }],
      });
      expect(byMint).to.have.length(2);
      const mints = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [
          { dataSize: MINT_SIZE },
          { memcmp: { offset: 4, bytes: payer.publicKey.toBase58() } },
        ],
      });
      expect(mints.map((a) => a.pubkey.toBase58())).to.include(mint.toBase58());
      for (const m of mints) expect(m.account.data.length).to.equal(MINT_SIZE);
      const none = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
        filters: [{ dataSize: ACCOUNT_SIZE + 1 }],
      });
      expect(none).to.deep.equal([]);
    });
  });

  describe("malformed JSON-RPC", () => {
    it("answers invalid JSON with -32700", async () => {
      const { json } = await rpc(net.rpcUrl, '{"jsonrpc":"2.0","id":1,"method":');
      const body = json as RpcError;
      expect(body.jsonrpc).to.equal("2.0");
      expect(body.error.code).to.equal(-32700);
      expect(body.id).to.equal(null);
    });

    it("answers an unknown method with -32601", async () => {
      const { json } = await rpc(
        net.rpcUrl,
        '{"jsonrpc":"2.0","id":7,"method":"getNoSuchThing","params":[]}',
      );
      const body = json as RpcError;
      expect(body.error.code).to.equal(-32601);
      expect(body.id).to.equal(7);
    });

    it("answers bad params with -32602", async () => {
      for (const params of ['["not-a-pubkey"]', "[]", '[12, {"commitment": 5}]']) {
        const { json } = await rpc(
          net.rpcUrl,
          `{"jsonrpc":"2.0","id":"x","method":"getBalance","params":${params}}`,
        );
        const body = json as RpcError;
        expect(body.error?.code, `getBalance ${params}: ${JSON.stringify(body)}`).to.equal(-32602);
        expect(body.id).to.equal("x");
      }
    });

    it("answers a batch request with one response per call", async () => {
      const { json } = await rpc(
        net.rpcUrl,
        JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "getSlot" },
          { jsonrpc: "2.0", id: 2, method: "getBalance", params: [payer.publicKey.toBase58()] },
          { jsonrpc: "2.0", id: 3, method: "noSuchMethod" },
        ]),
      );
      expect(json).to.be.an("array").with.length(3);
      const byId = new Map(
        (json as { id: number }[]).map((r) => [r.id, r as Record<string, unknown>]),
      );
      expect(byId.get(1)?.result).to.be.a("number");
      const balance = byId.get(2)?.result as { value: number; context: { slot: number } };
      expect(balance.value).to.equal(await connection.getBalance(payer.publicKey));
      expect((byId.get(3)?.error as { code: number }).code).to.equal(-32601);
    });

    it("keeps serving after malformed requests", async () => {
      await rpc(net.rpcUrl, "\u0000\u0001garbage");
      await rpc(
        net.rpcUrl,
        '{"jsonrpc":"2.0","id":1,"method":"getBalance","params":{"weird":true}}',
      );
      expect(await connection.getSlot()).to.be.a("number");
      expect((await connection.getVersion())["solana-core"]).to.be.a("string");
    });
  });

  describe("persistence", () => {
    it("keeps balances, the slot and transaction history across a restart", async function () {
      this.timeout(120_000);
      const from = await fundedKeypair(connection, 4);
      const to = Keypair.generate();
      const signature = await sendAndConfirmTransaction(
        connection,
        transferTx(from.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [from],
      );
      const before = await connection.getTransaction(signature, {
        maxSupportedTransactionVersion: 0,
      });
      const slotBefore = await connection.getSlot();
      const payerBalance = await connection.getBalance(payer.publicKey);
      const pidBefore = net.pid;

      await net.restart();
      expect(net.pid).to.not.equal(pidBefore);

      expect(await connection.getSlot()).to.be.at.least(slotBefore);
      expect(await connection.getBalance(from.publicKey)).to.equal(
        3 * LAMPORTS_PER_SOL - FEE_PER_SIGNATURE,
      );
      expect(await connection.getBalance(to.publicKey)).to.equal(LAMPORTS_PER_SOL);
      expect(await connection.getBalance(payer.publicKey)).to.equal(payerBalance);
      const after = await connection.getTransaction(signature, {
        maxSupportedTransactionVersion: 0,
      });
      expect(after?.slot).to.equal(before?.slot);
      expect(after?.meta?.postBalances).to.deep.equal(before?.meta?.postBalances);
      const { value } = await connection.getSignatureStatuses([signature], {
        searchTransactionHistory: true,
      });
      expect(value[0]?.err).to.equal(null);
      const history = await connection.getSignaturesForAddress(to.publicKey);
      expect(history.map((h) => h.signature)).to.deep.equal([signature]);

      // The restarted chain goes on.
      await sendAndConfirmTransaction(
        connection,
        transferTx(from.publicKey, to.publicKey, LAMPORTS_PER_SOL),
        [from],
      );
      expect(await connection.getBalance(to.publicKey)).to.equal(2 * LAMPORTS_PER_SOL);
    });
  });
});
