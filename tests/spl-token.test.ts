/**
 * Stock `@solana/spl-token` helpers against the local chain: mints, associated token accounts,
 * minting, transfers, burns and closes with exact amounts; the token RPC methods and jsonParsed
 * encodings; Token-2022.
 */
import {
  ACCOUNT_SIZE,
  ASSOCIATED_TOKEN_PROGRAM_ID,
  MINT_SIZE,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  TokenInvalidAccountOwnerError,
  amountToUiAmount,
  burn,
  closeAccount,
  createMint,
  getAccount,
  getAssociatedTokenAddressSync,
  getMint,
  getOrCreateAssociatedTokenAccount,
  mintTo,
  transfer,
  transferChecked,
} from "@solana/spl-token";
import { Keypair, SendTransactionError } from "@solana/web3.js";
import type { Connection, ParsedAccountData, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { FEE_PER_SIGNATURE, fundedKeypair, rejectionOf } from "./support/chain.js";
import { startLocalnet } from "./support/localnet.js";
import type { Localnet } from "./support/localnet.js";

/** Rent: 3,480 lamports per byte-year, exempt at two years, 128 bytes of account overhead. */
const rentExempt = (dataLen: number): number => (128 + dataLen) * 3480 * 2;

const DECIMALS = 6;
const ONE = 10n ** BigInt(DECIMALS);

describe("@solana/spl-token against the local chain", function () {
  this.timeout(60_000);
  let net: Localnet;
  let connection: Connection;
  let payer: Keypair;
  let mintAuthority: Keypair;
  let freezeAuthority: Keypair;
  let mint: PublicKey;
  let alice: Keypair;
  let bob: Keypair;
  let aliceAta: PublicKey;
  let bobAta: PublicKey;

  before(async function () {
    this.timeout(120_000);
    net = await startLocalnet();
    connection = net.connection;
    payer = await fundedKeypair(connection, 100);
    mintAuthority = Keypair.generate();
    freezeAuthority = Keypair.generate();
    alice = Keypair.generate();
    bob = Keypair.generate();
  });

  after(async () => {
    await net?.stop();
  });

  it("createMint creates an initialised mint and charges its rent and two signatures", async () => {
    const before = await connection.getBalance(payer.publicKey);
    mint = await createMint(
      connection,
      payer,
      mintAuthority.publicKey,
      freezeAuthority.publicKey,
      DECIMALS,
    );
    expect(await connection.getBalance(payer.publicKey)).to.equal(
      before - rentExempt(MINT_SIZE) - 2 * FEE_PER_SIGNATURE,
    );
    const info = await getMint(connection, mint);
    expect(info.address.equals(mint)).to.equal(true);
    expect(info.decimals).to.equal(DECIMALS);
    expect(info.supply).to.equal(0n);
    expect(info.isInitialized).to.equal(true);
    expect(info.mintAuthority?.equals(mintAuthority.publicKey)).to.equal(true);
    expect(info.freezeAuthority?.equals(freezeAuthority.publicKey)).to.equal(true);
    const raw = await connection.getAccountInfo(mint);
    expect(raw?.owner.equals(TOKEN_PROGRAM_ID)).to.equal(true);
    expect(raw?.data.length).to.equal(MINT_SIZE);
    expect(raw?.lamports).to.equal(rentExempt(MINT_SIZE));
  });

  it("getOrCreateAssociatedTokenAccount creates the ATA once and then finds it", async () => {
    const before = await connection.getBalance(payer.publicKey);
    const account = await getOrCreateAssociatedTokenAccount(
      connection,
      payer,
      mint,
      alice.publicKey,
    );
    aliceAta = account.address;
    expect(aliceAta.equals(getAssociatedTokenAddressSync(mint, alice.publicKey))).to.equal(true);
    expect(account.mint.equals(mint)).to.equal(true);
    expect(account.owner.equals(alice.publicKey)).to.equal(true);
    expect(account.amount).to.equal(0n);
    expect(account.isInitialized).to.equal(true);
    expect(account.isFrozen).to.equal(false);
    expect(await connection.getBalance(payer.publicKey)).to.equal(
      before - rentExempt(ACCOUNT_SIZE) - FEE_PER_SIGNATURE,
    );

    const again = await getOrCreateAssociatedTokenAccount(connection, payer, mint, alice.publicKey);
    expect(again.address.equals(aliceAta)).to.equal(true);
    expect(await connection.getBalance(payer.publicKey)).to.equal(
      before - rentExempt(ACCOUNT_SIZE) - FEE_PER_SIGNATURE,
    );
    bobAta = (await getOrCreateAssociatedTokenAccount(connection, payer, mint, bob.publicKey))
      .address;
  });

  it("mintTo, transfer and transferChecked move exact amounts", async () => {
    await mintTo(connection, payer, mint, aliceAta, mintAuthority, 1_000n * ONE);
    expect((await getAccount(connection, aliceAta)).amount).to.equal(1_000n * ONE);
    expect((await getMint(connection, mint)).supply).to.equal(1_000n * ONE);

    await transfer(connection, payer, aliceAta, bobAta, alice, 250n * ONE);
    expect((await getAccount(connection, aliceAta)).amount).to.equal(750n * ONE);
    expect((await getAccount(connection, bobAta)).amount).to.equal(250n * ONE);

    await transferChecked(connection, payer, bobAta, mint, aliceAta, bob, 1n, DECIMALS);
    expect((await getAccount(connection, aliceAta)).amount).to.equal(750n * ONE + 1n);
    expect((await getAccount(connection, bobAta)).amount).to.equal(250n * ONE - 1n);
    expect((await getMint(connection, mint)).supply).to.equal(1_000n * ONE);
  });

  it("a transfer beyond the balance fails in preflight with the token program's logs", async () => {
    const err = await rejectionOf(transfer(connection, payer, bobAta, aliceAta, bob, 1_000n * ONE));
    expect(err).to.be.instanceOf(SendTransactionError);
    const logs = (err as SendTransactionError).logs ?? [];
    expect(logs).to.include("Program log: Error: insufficient funds");
    expect(logs).to.include(
      `Program ${TOKEN_PROGRAM_ID.toBase58()} failed: custom program error: 0x1`,
    );
    expect((await getAccount(connection, bobAta)).amount).to.equal(250n * ONE - 1n);
  });

  it("minting needs the mint authority's signature", async () => {
    const err = await rejectionOf(mintTo(connection, payer, mint, bobAta, Keypair.generate(), 1n));
    expect(err).to.be.instanceOf(SendTransactionError);
    expect((err as SendTransactionError).logs).to.include(
      "Program log: Error: owner does not match",
    );
    expect((await getMint(connection, mint)).supply).to.equal(1_000n * ONE);
  });

  it("getTokenAccountsByOwner, getTokenAccountBalance and getTokenSupply report exact amounts", async () => {
    const byMint = await connection.getTokenAccountsByOwner(alice.publicKey, { mint });
    expect(byMint.value.map((a) => a.pubkey.toBase58())).to.deep.equal([aliceAta.toBase58()]);
    expect(byMint.value[0]!.account.owner.equals(TOKEN_PROGRAM_ID)).to.equal(true);
    const byProgram = await connection.getTokenAccountsByOwner(alice.publicKey, {
      programId: TOKEN_PROGRAM_ID,
    });
    expect(byProgram.value.map((a) => a.pubkey.toBase58())).to.deep.equal([aliceAta.toBase58()]);
    expect(
      (await connection.getTokenAccountsByOwner(Keypair.generate().publicKey, { mint })).value,
    ).to.deep.equal([]);

    const balance = await connection.getTokenAccountBalance(aliceAta);
    expect(balance.value).to.deep.equal({
      amount: (750n * ONE + 1n).toString(),
      decimals: DECIMALS,
      uiAmount: 750.000001,
      uiAmountString: "750.000001",
    });
    const supply = await connection.getTokenSupply(mint);
    expect(supply.value).to.deep.equal({
      amount: (1_000n * ONE).toString(),
      decimals: DECIMALS,
      uiAmount: 1000,
      uiAmountString: "1000",
    });

    const parsed = await connection.getParsedTokenAccountsByOwner(alice.publicKey, { mint });
    const data = parsed.value[0]!.account.data;
    expect(data.program).to.equal("spl-token");
    expect(data.parsed.info.tokenAmount.amount).to.equal((750n * ONE + 1n).toString());
  });

  it("getParsedAccountInfo decodes token accounts and mints", async () => {
    const account = await connection.getParsedAccountInfo(aliceAta);
    const accountData = account.value?.data as ParsedAccountData;
    expect(accountData.program).to.equal("spl-token");
    expect(accountData.space).to.equal(ACCOUNT_SIZE);
    expect(accountData.parsed).to.deep.equal({
      type: "account",
      info: {
        isNative: false,
        mint: mint.toBase58(),
        owner: alice.publicKey.toBase58(),
        state: "initialized",
        tokenAmount: {
          amount: (750n * ONE + 1n).toString(),
          decimals: DECIMALS,
          uiAmount: 750.000001,
          uiAmountString: "750.000001",
        },
      },
    });

    const mintInfo = await connection.getParsedAccountInfo(mint);
    const mintData = mintInfo.value?.data as ParsedAccountData;
    expect(mintData.program).to.equal("spl-token");
    expect(mintData.space).to.equal(MINT_SIZE);
    expect(mintData.parsed).to.deep.equal({
      type: "mint",
      info: {
        decimals: DECIMALS,
        freezeAuthority: freezeAuthority.publicKey.toBase58(),
        isInitialized: true,
        mintAuthority: mintAuthority.publicKey.toBase58(),
        supply: (1_000n * ONE).toString(),
      },
    });

    // Accounts that are not token accounts stay base64.
    const wallet = await connection.getParsedAccountInfo(payer.publicKey);
    expect(Buffer.isBuffer(wallet.value?.data)).to.equal(true);
  });

  it("getParsedProgramAccounts decodes with filters", async () => {
    const holders = await connection.getParsedProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ dataSize: ACCOUNT_SIZE }, { memcmp: { offset: 0, bytes: mint.toBase58() } }],
    });
    const amounts = new Map(
      holders.map((h) => {
        const data = h.account.data as ParsedAccountData;
        return [h.pubkey.toBase58(), data.parsed.info.tokenAmount.amount as string];
      }),
    );
    expect(amounts).to.deep.equal(
      new Map([
        [aliceAta.toBase58(), (750n * ONE + 1n).toString()],
        [bobAta.toBase58(), (250n * ONE - 1n).toString()],
      ]),
    );
    const mints = await connection.getParsedProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [
        { dataSize: MINT_SIZE },
        { memcmp: { offset: 4, bytes: mintAuthority.publicKey.toBase58() } },
      ],
    });
    expect(mints.map((m) => m.pubkey.toBase58())).to.deep.equal([mint.toBase58()]);
    expect((mints[0]!.account.data as ParsedAccountData).parsed.type).to.equal("mint");
  });

  it("amountToUiAmount reads the token program's return data", async () => {
    expect(await amountToUiAmount(connection, payer, mint, 1_234_567n)).to.equal("1.234567");
  });

  it("burn and closeAccount return the account's rent to the lamport", async () => {
    const balance = (await getAccount(connection, bobAta)).amount;
    await burn(connection, payer, bobAta, mint, bob, balance);
    expect((await getAccount(connection, bobAta)).amount).to.equal(0n);
    expect((await getMint(connection, mint)).supply).to.equal(1_000n * ONE - balance);
    const destination = Keypair.generate().publicKey;
    await closeAccount(connection, payer, bobAta, destination, bob);
    expect(await connection.getAccountInfo(bobAta)).to.equal(null);
    expect(await connection.getBalance(destination)).to.equal(rentExempt(ACCOUNT_SIZE));
  });

  describe("Token-2022", () => {
    it("createMint, associated accounts, mintTo and transferChecked work under Token-2022", async () => {
      const authority = Keypair.generate();
      const mint22 = await createMint(
        connection,
        payer,
        authority.publicKey,
        null,
        9,
        undefined,
        undefined,
        TOKEN_2022_PROGRAM_ID,
      );
      const info = await getMint(connection, mint22, "confirmed", TOKEN_2022_PROGRAM_ID);
      expect(info.decimals).to.equal(9);
      expect(info.supply).to.equal(0n);
      expect(info.mintAuthority?.equals(authority.publicKey)).to.equal(true);
      expect(info.freezeAuthority).to.equal(null);
      expect(
        (await connection.getAccountInfo(mint22))?.owner.equals(TOKEN_2022_PROGRAM_ID),
      ).to.equal(true);
      // The classic program does not own it.
      expect(await rejectionOf(getMint(connection, mint22))).to.be.instanceOf(
        TokenInvalidAccountOwnerError,
      );

      const a = await getOrCreateAssociatedTokenAccount(
        connection,
        payer,
        mint22,
        alice.publicKey,
        false,
        "confirmed",
        undefined,
        TOKEN_2022_PROGRAM_ID,
        ASSOCIATED_TOKEN_PROGRAM_ID,
      );
      const b = await getOrCreateAssociatedTokenAccount(
        connection,
        payer,
        mint22,
        bob.publicKey,
        false,
        "confirmed",
        undefined,
        TOKEN_2022_PROGRAM_ID,
      );
      expect(
        a.address.equals(
          getAssociatedTokenAddressSync(mint22, alice.publicKey, false, TOKEN_2022_PROGRAM_ID),
        ),
      ).to.equal(true);
      // Token-2022 associated accounts carry the ImmutableOwner extension.
      const raw = await connection.getAccountInfo(a.address);
      expect(raw?.owner.equals(TOKEN_2022_PROGRAM_ID)).to.equal(true);
      expect(raw?.data.length).to.equal(ACCOUNT_SIZE + 5);
      expect(raw?.lamports).to.equal(rentExempt(ACCOUNT_SIZE + 5));

      await mintTo(
        connection,
        payer,
        mint22,
        a.address,
        authority,
        5_000_000_000n,
        [],
        undefined,
        TOKEN_2022_PROGRAM_ID,
      );
      await transferChecked(
        connection,
        payer,
        a.address,
        mint22,
        b.address,
        alice,
        1_500_000_000n,
        9,
        [],
        undefined,
        TOKEN_2022_PROGRAM_ID,
      );
      expect(
        (await getAccount(connection, a.address, "confirmed", TOKEN_2022_PROGRAM_ID)).amount,
      ).to.equal(3_500_000_000n);
      expect(
        (await getAccount(connection, b.address, "confirmed", TOKEN_2022_PROGRAM_ID)).amount,
      ).to.equal(1_500_000_000n);
      expect(
        (await getMint(connection, mint22, "confirmed", TOKEN_2022_PROGRAM_ID)).supply,
      ).to.equal(5_000_000_000n);

      const parsed = await connection.getParsedAccountInfo(a.address);
      const data = parsed.value?.data as ParsedAccountData;
      expect(data.program).to.equal("spl-token-2022");
      expect(data.parsed.type).to.equal("account");
      expect(data.parsed.info.tokenAmount).to.deep.equal({
        amount: "3500000000",
        decimals: 9,
        uiAmount: 3.5,
        uiAmountString: "3.5",
      });
      expect(data.parsed.info.extensions).to.deep.equal([{ extension: "immutableOwner" }]);
      const supply = await connection.getTokenSupply(mint22);
      expect(supply.value.amount).to.equal("5000000000");
      const owned = await connection.getTokenAccountsByOwner(bob.publicKey, {
        programId: TOKEN_2022_PROGRAM_ID,
      });
      expect(owned.value.map((o) => o.pubkey.toBase58())).to.deep.equal([b.address.toBase58()]);
    });
  });
});
