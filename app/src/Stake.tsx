/**
 * Stake & Govern (`#/stake`): stake on a device (the operator's self-stake, anyone's co-stake
 * with an optional lock whose vote-weight multiplier is shown), the wallet's positions (unstake
 * with the cooldown's end, withdraw after it, claim, extend the lock), and governance: every
 * proposal with its votes and timelock, a typed form for any parameter change the staking
 * program accepts, voting with the weight shown, finalising and executing. Every instruction,
 * account read, weight and time comes from the sdk.
 */
import { useConnection } from "@solana/wallet-adapter-react";
import { createAssociatedTokenAccountIdempotentInstruction } from "@solana/spl-token";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";
import {
  DAY_SECS,
  IO_DECIMALS,
  MAX_LOCK_SECS,
  MIN_LOCK_SECS,
  UNSTAKE_ALL,
  VOTE_SIDE,
  blankChangeInput,
  castVoteIx,
  changeInputOf,
  claimRewardsIx,
  createProposalIx,
  deviceStake,
  executeProposalIx,
  finalizeProposalIx,
  initialChangeInput,
  ioMintPda,
  lockIx,
  openPoolIx,
  openPositionIx,
  parameterChangeFromInput,
  parameterChangeKind,
  parameterChangeKinds,
  parameterChangeName,
  positionClaimable,
  positionCoolingValue,
  positionValue,
  positionVotingWeight,
  positionWithdrawableAt,
  proposalPhase,
  proposalTimelockEnd,
  proposalVoteWeight,
  stakeIx,
  stakeSelfIx,
  stakingProgram,
  unstakeCooldownEnd,
  unstakeIx,
  unstakeSelfIx,
  voteSideName,
  weightMultiplierBps,
  withdrawIx,
  withdrawSelfIx,
  ChangeInputError,
} from "@iogrid/sdk";
import type {
  Addressed,
  ChangeFieldType,
  ChangeInput,
  ChangeKind,
  ParameterChangeLike,
  Proposal,
  StakePosition,
  VoteSideName,
} from "@iogrid/sdk";
import { useMemo, useState } from "react";
import type { FormEvent, ReactElement } from "react";
import type { Cluster } from "./cluster.js";
import { formatIo, formatTime } from "./deviceList.js";
import { big, formatMultiplier, formatUnits, formatWeight, parseUnits } from "./format.js";
import { useStakeState } from "./query.js";
import type { StakePoolRow, StakeState } from "./query.js";
import { TxStatusView, useSendTransaction } from "./tx.js";
import { LoadState, Select, Stat, TextInput } from "./ui.js";
import { useSigner } from "./wallet.js";

/** How far `at` is from `now` (unix seconds): "in 3 d 4 h", "2 h 5 min ago", "now". */
function until(at: bigint, now: bigint): string {
  const past = at < now;
  const secs = past ? now - at : at - now;
  if (secs < 60n) return "now";
  const d = secs / DAY_SECS;
  const h = (secs % DAY_SECS) / 3_600n;
  const m = (secs % 3_600n) / 60n;
  const span = d > 0n ? `${d} d ${h} h` : h > 0n ? `${h} h ${m} min` : `${m} min`;
  return past ? `${span} ago` : `in ${span}`;
}

/** A unix time with how far off it is. */
function when(at: bigint, now: bigint): string {
  return at === 0n ? "—" : `${formatTime(at)} (${until(at, now)})`;
}

const LOCK_DAYS = [14, 30, 90, 180, 365, 730, 1_460] as const;

function lockOptions(withNone: boolean): [string, string][] {
  return [
    ...(withNone ? ([["0", "No lock"]] as [string, string][]) : []),
    ...LOCK_DAYS.map((d): [string, string] => [
      String(d),
      `${d} days (${formatMultiplier(weightMultiplierBps(BigInt(d) * DAY_SECS))})`,
    ]),
  ];
}

function poolLabel(row: StakePoolRow): string {
  return row.device
    ? `${row.device.name} — ${row.device.gpuModel}`
    : `pool ${row.address.toBase58().slice(0, 8)}…`;
}

function ioInstructions(owner: PublicKey, ioAccount: PublicKey): TransactionInstruction {
  return createAssociatedTokenAccountIdempotentInstruction(
    owner,
    ioAccount,
    owner,
    ioMintPda().address,
  );
}

/** The signing wallet, its transaction status and the staking program a section sends with. */
function useStakingTx(): ReturnType<typeof useSendTransaction> & {
  signer: ReturnType<typeof useSigner>;
  program: ReturnType<typeof stakingProgram>;
} {
  const signer = useSigner();
  const tx = useSendTransaction();
  const program = useMemo(() => stakingProgram(), []);
  return { ...tx, signer, program };
}

/** What every section of the page gets: the page's chain state, the cluster, a reload. */
interface SectionProps {
  state: StakeState;
  cluster: Cluster;
  reload: () => void;
}

/** Stake IO on a device: co-stake (with a lock) by anyone, self-stake by its operator. */
function StakeForm({ state, cluster, reload }: SectionProps): ReactElement {
  const { signer, status, send, program } = useStakingTx();
  const owner = signer.publicKey;
  const rows = [...state.pools.values()].filter((r) => r.device);
  const openable = state.market.devices.filter((d) => !d.pool && d.device.owner.equals(owner));
  const [choice, setChoice] = useState(rows[0]?.address.toBase58() ?? "");
  const [amount, setAmount] = useState("");
  const [lockDays, setLockDays] = useState("0");
  const [error, setError] = useState<string | null>(null);
  const busy = status.state === "signing" || status.state === "sent";
  const row = state.pools.get(choice) ?? rows[0];
  const now = state.market.now;
  const position = row
    ? state.positions.find((p) => p.account.pool.equals(row.address))
    : undefined;
  const isOperator = row ? row.pool.operator.equals(owner) : false;
  const lockSecs = BigInt(lockDays) * DAY_SECS;

  const units = (): bigint | null => {
    const value = parseUnits(amount, IO_DECIMALS);
    if (value === null || value === 0n) {
      setError("Enter an amount of IO, e.g. 1000 or 12.5");
      return null;
    }
    setError(null);
    return value;
  };
  const costake = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const value = units();
    if (value === null || !row) return;
    const pool = row.address;
    const ixs: TransactionInstruction[] = [ioInstructions(owner, state.ioAccount)];
    if (!position) ixs.push(await openPositionIx(program, { owner, pool }));
    ixs.push(await stakeIx(program, { owner, pool, tokenAccount: state.ioAccount, amount: value }));
    // A lock only extends: one ending before the position's would refuse the whole stake.
    const lockEnd = position ? big(position.account.lockEndsAt) : 0n;
    if (lockSecs > 0n && now + lockSecs > lockEnd)
      ixs.push(await lockIx(program, { owner, pool, durationSecs: lockSecs }));
    if (await send(ixs)) {
      setAmount("");
      reload();
    }
  };
  const selfStake = async (): Promise<void> => {
    const value = units();
    if (value === null || !row) return;
    const ok = await send([
      await stakeSelfIx(program, {
        operator: owner,
        pool: row.address,
        tokenAccount: state.ioAccount,
        amount: value,
      }),
    ]);
    if (ok) {
      setAmount("");
      reload();
    }
  };
  const openPool = async (device: PublicKey): Promise<void> => {
    const shareBps = state.market.tokenConfig.fees.stakerShareMinBps;
    if (
      await send([
        await openPoolIx(program, {
          operator: owner,
          device,
          stakerShareBps: shareBps,
          costakingOpen: true,
        }),
      ])
    )
      reload();
  };

  const stake = row
    ? deviceStake({ device: row.device!, pool: row.pool }, state.market.stakingConfig)
    : null;
  return (
    <section aria-label="Stake on a device" className="card">
      <h3>Stake on a device</h3>
      <p>
        Your IO: <strong data-testid="io-balance">{formatIo(state.io ?? 0n)}</strong>
      </p>
      {rows.length === 0 ? (
        <p data-testid="no-pools">No device has a stake pool yet.</p>
      ) : (
        <form onSubmit={(e) => void costake(e)} aria-label="Stake" className="stake-form">
          <Select
            label="Device"
            value={row?.address.toBase58() ?? ""}
            onChange={setChoice}
            options={rows.map((r): [string, string] => [r.address.toBase58(), poolLabel(r)])}
          />
          {row && stake && (
            <dl className="stats">
              <Stat
                id="pool-operator"
                label="Operator"
                value={
                  isOperator ? (
                    "you"
                  ) : (
                    <code title={row.pool.operator.toBase58()}>
                      {`${row.pool.operator.toBase58().slice(0, 6)}…${row.pool.operator.toBase58().slice(-6)}`}
                    </code>
                  )
                }
              />
              <Stat
                id="pool-self-stake"
                label="Self-stake"
                value={formatIo(big(row.pool.operatorStake))}
              />
              <Stat
                id="pool-qualifying"
                label="Staked / needed"
                value={`${formatIo(stake.qualifying)} / ${formatIo(stake.minimum)}`}
              />
              <Stat
                id="pool-share"
                label="Stakers' share of rewards"
                value={`${formatUnits(BigInt(row.pool.stakerShareBps), 2)} %`}
              />
              <Stat
                id="pool-costaking"
                label="Co-staking"
                value={row.pool.costakingOpen ? "open" : "closed"}
              />
            </dl>
          )}
          <TextInput
            label="Amount (IO)"
            name="amount"
            value={amount}
            onChange={setAmount}
            inputMode="decimal"
          />
          <Select
            label="Lock (co-stake only)"
            value={lockDays}
            onChange={setLockDays}
            options={lockOptions(true)}
          />
          <p>
            Vote weight multiplier with this lock:{" "}
            <strong data-testid="lock-multiplier">
              {formatMultiplier(weightMultiplierBps(lockSecs))}
            </strong>
            {lockSecs > 0n && (
              <>
                {" "}
                — locked until <span data-testid="lock-until">{formatTime(now + lockSecs)}</span>;
                nothing can be unstaked before then, and the multiplier falls as the end nears.
              </>
            )}
          </p>
          {position && big(position.account.lockEndsAt) > now + lockSecs && lockSecs > 0n && (
            <p className="muted">
              Your position is already locked until {formatTime(big(position.account.lockEndsAt))};
              a lock can only be extended.
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={busy || !row?.pool.costakingOpen}>
              Co-stake
            </button>
            {isOperator && (
              <button type="button" disabled={busy} onClick={() => void selfStake()}>
                Self-stake
              </button>
            )}
            {row && !row.pool.costakingOpen && (
              <span className="muted">This pool&apos;s operator takes no co-stake.</span>
            )}
          </div>
          {isOperator && (
            <p className="muted">
              Self-stake counts toward the device&apos;s minimum and is slashed first; it carries no
              vote (lock co-stake for that).
            </p>
          )}
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </form>
      )}
      {openable.map((d) => (
        <p key={d.address.toBase58()}>
          Your device <strong>{d.device.name}</strong> has no stake pool.{" "}
          <button type="button" disabled={busy} onClick={() => void openPool(d.address)}>
            Open its stake pool
          </button>
        </p>
      ))}
      <TxStatusView status={status} cluster={cluster} />
    </section>
  );
}

function positionState(position: StakePosition, now: bigint): string {
  const lockEnd = big(position.lockEndsAt);
  const cooling = big(position.coolingShares) > 0n;
  if (cooling) {
    const at = positionWithdrawableAt(position);
    return now >= at ? "withdrawable" : `cooling down until ${formatTime(at)}`;
  }
  if (lockEnd > now) return `locked until ${formatTime(lockEnd)}`;
  return big(position.shares) > 0n ? "active" : "empty";
}

/** One of the wallet's co-stake positions. */
function PositionCard({
  entry,
  state,
  cluster,
  reload,
}: SectionProps & { entry: Addressed<StakePosition> }): ReactElement {
  const { signer, status, send, program } = useStakingTx();
  const owner = signer.publicKey;
  const [amount, setAmount] = useState("");
  const [lockDays, setLockDays] = useState("365");
  const [error, setError] = useState<string | null>(null);
  const busy = status.state === "signing" || status.state === "sent";
  const position = entry.account;
  const row = state.pools.get(position.pool.toBase58());
  const now = state.market.now;
  const id = entry.address.toBase58();
  if (!row)
    return (
      <article className="card" data-testid={`position-${id}`}>
        Position <code>{id}</code>: its pool is gone.
      </article>
    );
  const pool = row.address;
  const value = positionValue(position, row.pool);
  const cooling = positionCoolingValue(position, row.pool);
  const claimable = positionClaimable(position, row.pool);
  const lockEnd = big(position.lockEndsAt);
  const multiplier = weightMultiplierBps(lockEnd - now);
  const withdrawableAt = positionWithdrawableAt(position);
  const run = async (ixs: TransactionInstruction[]): Promise<boolean> => {
    const ok = await send(ixs);
    if (ok) reload();
    return ok;
  };
  const unstake = async (event: FormEvent, all: boolean): Promise<void> => {
    event.preventDefault();
    let units = UNSTAKE_ALL;
    if (!all) {
      const parsed = parseUnits(amount, IO_DECIMALS);
      if (parsed === null || parsed === 0n) {
        setError("Enter an amount of IO to unstake");
        return;
      }
      units = parsed;
    }
    setError(null);
    if (await run([await unstakeIx(program, { owner, pool, amount: units })])) setAmount("");
  };
  const withdraw = async (): Promise<void> => {
    await run([
      ioInstructions(owner, state.ioAccount),
      await withdrawIx(program, { owner, pool, tokenAccount: state.ioAccount }),
    ]);
  };
  const claim = async (): Promise<void> => {
    await run([
      ioInstructions(owner, state.ioAccount),
      await claimRewardsIx(program, { owner, pool, tokenAccount: state.ioAccount }),
    ]);
  };
  return (
    <article
      className="card"
      data-testid={`position-${id}`}
      aria-label={`Position in ${poolLabel(row)}`}
    >
      <h4 data-testid="position-device">{poolLabel(row)}</h4>
      <dl className="stats">
        <Stat id="position-state" label="State" value={positionState(position, now)} />
        <Stat id="position-stake" label="Active stake" value={formatIo(value)} />
        <Stat id="position-lock-end" label="Locked until" value={when(lockEnd, now)} />
        <Stat
          id="position-multiplier"
          label="Vote multiplier now"
          value={formatMultiplier(multiplier)}
        />
        <Stat
          id="position-weight"
          label="Vote weight now"
          value={formatWeight(positionVotingWeight(position, row.pool, now))}
        />
        <Stat id="position-cooling" label="Cooling down" value={formatIo(cooling)} />
        <Stat
          id="position-cooldown-end"
          label="Withdrawable from"
          value={cooling > 0n ? when(withdrawableAt, now) : "—"}
        />
        <Stat id="position-claimable" label="Claimable rewards" value={formatIo(claimable)} />
      </dl>
      <div className="actions">
        <form onSubmit={(e) => void unstake(e, false)} aria-label="Unstake">
          <TextInput
            label="Unstake amount (IO)"
            name="unstake"
            value={amount}
            onChange={setAmount}
            inputMode="decimal"
          />
          <button type="submit" disabled={busy || value === 0n}>
            Unstake
          </button>
          <button
            type="button"
            disabled={busy || value === 0n}
            onClick={(e) => void unstake(e, true)}
          >
            Unstake all
          </button>
        </form>
        <span className="muted" data-testid="unstake-cooldown-preview">
          Unstaked now, withdrawable from{" "}
          {formatTime(unstakeCooldownEnd(state.market.stakingConfig, now))}
          {lockEnd > now ? ` — but locked until ${formatTime(lockEnd)}` : ""}
        </span>
        <button type="button" disabled={busy || cooling === 0n} onClick={() => void withdraw()}>
          Withdraw
        </button>
        <button type="button" disabled={busy || claimable === 0n} onClick={() => void claim()}>
          Claim rewards
        </button>
        <form
          aria-label="Extend lock"
          onSubmit={(e) => {
            e.preventDefault();
            void (async () =>
              run([
                await lockIx(program, { owner, pool, durationSecs: BigInt(lockDays) * DAY_SECS }),
              ]))();
          }}
        >
          <Select
            label="Lock for"
            value={lockDays}
            onChange={setLockDays}
            options={lockOptions(false)}
          />
          <button type="submit" disabled={busy || value === 0n}>
            Lock
          </button>
        </form>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <TxStatusView status={status} cluster={cluster} />
    </article>
  );
}

/** The operator's self-stake in one of its pools. */
function SelfStakeCard({
  row,
  state,
  cluster,
  reload,
}: {
  row: StakePoolRow;
  state: StakeState;
  cluster: Cluster;
  reload: () => void;
}): ReactElement {
  const { signer, status, send, program } = useStakingTx();
  const operator = signer.publicKey;
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<string | null>(null);
  const busy = status.state === "signing" || status.state === "sent";
  const now = state.market.now;
  const stakeNow = big(row.pool.operatorStake);
  const cooling = big(row.pool.operatorCooling);
  const endsAt = big(row.pool.operatorCooldownEndsAt);
  const pool = row.address;
  const run = async (ixs: TransactionInstruction[]): Promise<boolean> => {
    const ok = await send(ixs);
    if (ok) reload();
    return ok;
  };
  const unstake = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const units = parseUnits(amount, IO_DECIMALS);
    if (units === null || units === 0n) {
      setError("Enter an amount of IO to unstake");
      return;
    }
    setError(null);
    if (
      await run([
        await unstakeSelfIx(program, { operator, device: row.pool.device, amount: units }),
      ])
    )
      setAmount("");
  };
  return (
    <article
      className="card"
      data-testid={`self-stake-${pool.toBase58()}`}
      aria-label={`Self-stake in ${poolLabel(row)}`}
    >
      <h4>Self-stake: {poolLabel(row)}</h4>
      <dl className="stats">
        <Stat id="self-stake" label="Active self-stake" value={formatIo(stakeNow)} />
        <Stat id="self-cooling" label="Cooling down" value={formatIo(cooling)} />
        <Stat
          id="self-cooldown-end"
          label="Withdrawable from"
          value={cooling > 0n ? when(endsAt, now) : "—"}
        />
      </dl>
      <div className="actions">
        <form onSubmit={(e) => void unstake(e)} aria-label="Unstake self-stake">
          <TextInput
            label="Unstake self-stake (IO)"
            name="unstake-self"
            value={amount}
            onChange={setAmount}
            inputMode="decimal"
          />
          <button type="submit" disabled={busy || stakeNow === 0n}>
            Unstake
          </button>
        </form>
        <span className="muted">
          Unstaked now, withdrawable from{" "}
          {formatTime(unstakeCooldownEnd(state.market.stakingConfig, now))} (a new unstake restarts
          the cooldown of all that is cooling)
        </span>
        <button
          type="button"
          disabled={busy || cooling === 0n}
          onClick={() =>
            void (async () =>
              run([
                ioInstructions(operator, state.ioAccount),
                await withdrawSelfIx(program, {
                  operator,
                  device: row.pool.device,
                  tokenAccount: state.ioAccount,
                }),
              ]))()
          }
        >
          Withdraw
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <TxStatusView status={status} cluster={cluster} />
    </article>
  );
}

/** A label from a camelCase name: "minStakeBase" -> "Min stake base". */
export function labelOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A field path as labels: "params.passThresholdBps" -> "Params › Pass threshold bps". */
function pathLabel(path: string): string {
  return path
    .split(".")
    .map((part) => labelOf(part.replace(/\[(\d+)\]/g, (_, i: string) => ` ${Number(i) + 1}`)))
    .join(" › ");
}

/** The editor of one field of a change, recursively (structs, lists, options). */
function FieldEditor({
  field,
  value,
  onChange,
}: {
  field: { name: string; docs: string[]; type: ChangeFieldType };
  value: ChangeInput;
  onChange: (value: ChangeInput) => void;
}): ReactElement {
  const { type } = field;
  const label = labelOf(field.name);
  const hint = field.docs.length > 0 && <small className="muted">{field.docs.join(" ")}</small>;
  switch (type.kind) {
    case "integer":
    case "pubkey":
    case "string":
      return (
        <div className="field">
          <TextInput
            label={type.kind === "integer" ? `${label} (${type.type})` : label}
            name={field.name}
            value={typeof value === "string" ? value : ""}
            onChange={onChange}
            inputMode={type.kind === "integer" ? "numeric" : undefined}
          />
          {hint}
        </div>
      );
    case "bool":
      return (
        <div className="field">
          <label>
            <input
              type="checkbox"
              checked={value === true}
              onChange={(e) => onChange(e.target.checked)}
            />{" "}
            {label}
          </label>
          {hint}
        </div>
      );
    case "struct": {
      const record = (value ?? {}) as Record<string, ChangeInput>;
      return (
        <fieldset>
          <legend>{label}</legend>
          {hint}
          {type.fields.map((f) => (
            <FieldEditor
              key={f.name}
              field={f}
              value={record[f.name] ?? null}
              onChange={(v) => onChange({ ...record, [f.name]: v })}
            />
          ))}
        </fieldset>
      );
    }
    case "vec": {
      const items = Array.isArray(value) ? value : [];
      return (
        <fieldset>
          <legend>{label}</legend>
          {hint}
          {items.map((item, i) => (
            <div key={i} className="vec-item">
              <FieldEditor
                field={{ name: `${field.name} ${i + 1}`, docs: [], type: type.item }}
                value={item}
                onChange={(v) => onChange(items.map((x, j) => (j === i ? v : x)))}
              />
              <button
                type="button"
                aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}
                onClick={() => onChange(items.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => onChange([...items, blankChangeInput(type.item)])}
            aria-label={`Add to ${label.toLowerCase()}`}
          >
            Add
          </button>
        </fieldset>
      );
    }
    case "option":
      return (
        <fieldset>
          <legend>
            <label>
              <input
                type="checkbox"
                checked={value !== null}
                onChange={(e) => onChange(e.target.checked ? blankChangeInput(type.inner) : null)}
              />{" "}
              Change {label.toLowerCase()}
            </label>
          </legend>
          {hint}
          {value !== null && (
            <FieldEditor
              field={{ ...field, docs: [], type: type.inner }}
              value={value}
              onChange={onChange}
            />
          )}
        </fieldset>
      );
  }
}

/** The new-proposal form: a title, any typed change, and the position that backs it. */
function ProposalForm({ state, cluster, reload }: SectionProps): ReactElement {
  const { signer, status, send, program } = useStakingTx();
  const proposer = signer.publicKey;
  const kinds = parameterChangeKinds();
  const configs = {
    staking: state.market.stakingConfig,
    token: state.market.tokenConfig,
    registry: state.market.registryConfig,
  };
  const [kindName, setKindName] = useState(kinds[0]!.name);
  const kind = parameterChangeKind(kindName);
  const [input, setInput] = useState(() => initialChangeInput(kind, configs));
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const busy = status.state === "signing" || status.state === "sent";
  const backing = state.positions.filter((p) => {
    const row = state.pools.get(p.account.pool.toBase58());
    return row && positionValue(p.account, row.pool) > 0n;
  });
  const [from, setFrom] = useState(backing[0]?.address.toBase58() ?? "");
  const chosen = backing.find((p) => p.address.toBase58() === from) ?? backing[0];
  const minStake = big(state.market.stakingConfig.governance.proposalMinStake);

  const chooseKind = (name: string): void => {
    setKindName(name);
    setInput(initialChangeInput(parameterChangeKind(name), configs));
    setError(null);
  };
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!chosen) return;
    let change: ParameterChangeLike;
    try {
      change = parameterChangeFromInput(kind, input);
    } catch (err) {
      setError(
        err instanceof ChangeInputError ? `${pathLabel(err.path)}: ${err.reason}` : String(err),
      );
      return;
    }
    setError(null);
    const ok = await send([
      await createProposalIx(program, {
        proposer,
        pool: chosen.account.pool,
        id: big(state.market.stakingConfig.proposalCount),
        title: title.trim(),
        change,
      }),
    ]);
    if (ok) {
      setTitle("");
      reload();
    }
  };
  return (
    <section aria-label="New proposal" className="card">
      <h3>New proposal</h3>
      <form onSubmit={(e) => void submit(e)} aria-label="Create proposal" className="proposal-form">
        <TextInput label="Title" name="title" value={title} onChange={setTitle} />
        <Select
          label="Change"
          value={kindName}
          onChange={chooseKind}
          options={kinds.map((k: ChangeKind): [string, string] => [
            k.name,
            `${labelOf(k.name)} (${k.target})`,
          ])}
        />
        {kind.docs.length > 0 && (
          <p className="muted" data-testid="change-docs">
            {kind.docs.join(" ")}
          </p>
        )}
        {kind.fields.length === 0 && <p className="muted">This change has no parameters.</p>}
        {kind.fields.map((f) => (
          <FieldEditor
            key={`${kindName}.${f.name}`}
            field={f}
            value={input[f.name] ?? null}
            onChange={(v) => setInput({ ...input, [f.name]: v })}
          />
        ))}
        {backing.length === 0 ? (
          <p data-testid="no-backing">
            A proposal is backed by a co-stake position of yours with at least {formatIo(minStake)}{" "}
            active; stake first.
          </p>
        ) : (
          <Select
            label="Backed by"
            value={chosen?.address.toBase58() ?? ""}
            onChange={setFrom}
            options={backing.map((p): [string, string] => {
              const row = state.pools.get(p.account.pool.toBase58())!;
              return [
                p.address.toBase58(),
                `${poolLabel(row)}: ${formatIo(positionValue(p.account, row.pool))}`,
              ];
            })}
          />
        )}
        <p className="muted">
          Needs {formatIo(minStake)} of active co-stake; voting lasts{" "}
          {String(big(state.market.stakingConfig.governance.votingPeriodSecs) / 3_600n)} h, then a
          timelock of {String(big(state.market.stakingConfig.governance.timelockSecs) / 3_600n)} h.
        </p>
        <button type="submit" disabled={busy || !chosen || !title.trim()}>
          Create proposal
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <TxStatusView status={status} cluster={cluster} />
    </section>
  );
}

/** A proposal's change as "field: value" lines. */
function ChangeView({ change }: { change: ParameterChangeLike }): ReactElement {
  const name = parameterChangeName(change);
  const kind = parameterChangeKind(name);
  const values = (change as unknown as Record<string, Record<string, unknown>>)[name] ?? {};
  const text = (type: ChangeFieldType, value: unknown): string => {
    const input = changeInputOf(type, value);
    return JSON.stringify(input);
  };
  return (
    <div data-testid="proposal-change">
      <strong>{labelOf(name)}</strong> ({kind.target})
      {kind.fields.length > 0 && (
        <ul>
          {kind.fields.map((f) => (
            <li key={f.name}>
              {labelOf(f.name)}:{" "}
              <code data-testid={`change-${f.name}`}>
                {f.type.kind === "integer" || f.type.kind === "pubkey" || f.type.kind === "string"
                  ? String(changeInputOf(f.type, values[f.name]))
                  : text(f.type, values[f.name])}
              </code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const PHASE_TEXT: Record<ReturnType<typeof proposalPhase>, string> = {
  voting: "voting",
  counting: "voting ended: to be finalised",
  defeated: "defeated",
  timelocked: "passed: in its timelock",
  executable: "passed: executable",
  expired: "passed: execution window over",
  executed: "executed",
};

function ProposalCard({
  entry,
  state,
  cluster,
  reload,
}: SectionProps & { entry: Addressed<Proposal> }): ReactElement {
  const { signer, status, send, program } = useStakingTx();
  const voter = signer.publicKey;
  const proposal = entry.account;
  const id = big(proposal.id);
  const now = state.market.now;
  const phase = proposalPhase(proposal, now);
  const busy = status.state === "signing" || status.state === "sent";
  const voters = state.positions.filter((p) => {
    const row = state.pools.get(p.account.pool.toBase58());
    return row && positionValue(p.account, row.pool) > 0n;
  });
  const [from, setFrom] = useState(voters[0]?.address.toBase58() ?? "");
  const chosen = voters.find((p) => p.address.toBase58() === from) ?? voters[0];
  const chosenRow = chosen ? state.pools.get(chosen.account.pool.toBase58()) : undefined;
  const vote = chosen
    ? state.votes.get(`${entry.address.toBase58()}/${chosen.address.toBase58()}`)
    : undefined;
  const weight =
    chosen && chosenRow ? proposalVoteWeight(chosen.account, chosenRow.pool, proposal, now) : 0n;
  const rules = proposal.rules;
  const run = async (ixs: TransactionInstruction[]): Promise<void> => {
    if (await send(ixs)) reload();
  };
  const cast = async (side: VoteSideName): Promise<void> => {
    if (!chosen) return;
    await run([
      await castVoteIx(program, {
        voter,
        pool: chosen.account.pool,
        proposalId: id,
        side: VOTE_SIDE[side],
      }),
    ]);
  };
  return (
    <article
      className="card"
      data-testid={`proposal-${id}`}
      aria-label={`Proposal ${id}: ${proposal.title}`}
    >
      <h4>
        #{String(id)} {proposal.title}{" "}
        <span className={`badge phase-${phase}`} data-testid="proposal-phase">
          {PHASE_TEXT[phase]}
        </span>
      </h4>
      <ChangeView change={proposal.change} />
      <dl className="stats">
        <Stat id="proposal-yes" label="Yes weight" value={formatWeight(big(proposal.yesWeight))} />
        <Stat id="proposal-no" label="No weight" value={formatWeight(big(proposal.noWeight))} />
        <Stat
          id="proposal-abstain"
          label="Abstain weight"
          value={formatWeight(big(proposal.abstainWeight))}
        />
        <Stat id="proposal-voters" label="Voters" value={String(proposal.voters)} />
        <Stat
          id="proposal-quorum"
          label="Quorum / threshold"
          value={`${formatWeight(big(rules.quorumWeight))} / ${formatUnits(BigInt(rules.passThresholdBps), 2)} % yes`}
        />
        <Stat
          id="proposal-voting-ends"
          label="Voting ends"
          value={when(big(proposal.votingEndsAt), now)}
        />
        <Stat
          id="proposal-timelock-end"
          label={
            phase === "voting" || phase === "counting" ? "Timelock would end" : "Timelock ends"
          }
          value={phase === "defeated" ? "—" : when(proposalTimelockEnd(proposal), now)}
        />
        {phase === "executed" && (
          <Stat
            id="proposal-executed-at"
            label="Executed"
            value={formatTime(big(proposal.executedAt))}
          />
        )}
      </dl>
      <div className="actions">
        {phase === "voting" &&
          (voters.length === 0 ? (
            <span className="muted">Stake to vote: co-stake positions vote, weighted by lock.</span>
          ) : vote ? (
            <span data-testid="my-vote">
              You voted {voteSideName(vote.side)} with weight {formatWeight(vote.weight)}
            </span>
          ) : (
            <>
              {voters.length > 1 && (
                <Select
                  label="Vote with"
                  value={chosen?.address.toBase58() ?? ""}
                  onChange={setFrom}
                  options={voters.map((p): [string, string] => [
                    p.address.toBase58(),
                    poolLabel(state.pools.get(p.account.pool.toBase58())!),
                  ])}
                />
              )}
              <span>
                Your vote&apos;s weight:{" "}
                <strong data-testid="vote-weight">{formatWeight(weight)}</strong>
              </span>
              <button type="button" disabled={busy} onClick={() => void cast("yes")}>
                Vote yes
              </button>
              <button type="button" disabled={busy} onClick={() => void cast("no")}>
                Vote no
              </button>
              <button type="button" disabled={busy} onClick={() => void cast("abstain")}>
                Abstain
              </button>
            </>
          ))}
        {phase !== "voting" && vote && (
          <span data-testid="my-vote">
            You voted {voteSideName(vote.side)} with weight {formatWeight(vote.weight)}
          </span>
        )}
        {phase === "counting" && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void (async () => run([await finalizeProposalIx(program, { proposalId: id })]))()
            }
          >
            Finalize the vote
          </button>
        )}
        {(phase === "timelocked" || phase === "executable") && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void (async () =>
                run([
                  await executeProposalIx(program, {
                    executor: voter,
                    proposalId: id,
                    change: proposal.change,
                  }),
                ]))()
            }
          >
            Execute
          </button>
        )}
      </div>
      <TxStatusView status={status} cluster={cluster} />
    </article>
  );
}

/** `#/stake`: Stake & Govern. */
export function StakePage({ cluster }: { cluster: Cluster }): ReactElement {
  const { connection } = useConnection();
  const signer = useSigner();
  const [state, reload] = useStakeState(connection, signer.publicKey);
  if (state.state !== "ready")
    return (
      <section aria-label="Stake and govern">
        <h2>Stake &amp; Govern</h2>
        <LoadState state={state} what="stake pools and proposals" />
      </section>
    );
  const s = state.value;
  const operated = [...s.pools.values()].filter((r) => r.pool.operator.equals(signer.publicKey));
  return (
    <section aria-label="Stake and govern">
      <h2>Stake &amp; Govern</h2>
      <p className="muted">
        Chain time {formatTime(s.market.now)}. Co-stake votes: weight is its IO times a lock
        multiplier from 1× (unlocked) to {formatMultiplier(weightMultiplierBps(MAX_LOCK_SECS))} (4
        years left); locks last {String(MIN_LOCK_SECS / DAY_SECS)} days to 4 years. Unstaked IO is
        withdrawable after a{" "}
        {String(big(s.market.stakingConfig.stake.unstakeCooldownSecs) / DAY_SECS)}-day cooldown.
      </p>
      <StakeForm state={s} cluster={cluster} reload={reload} />
      <h3>My positions</h3>
      {s.positions.length === 0 && operated.length === 0 ? (
        <p data-testid="positions-empty">This wallet has no stake.</p>
      ) : (
        <>
          {s.positions.map((p) => (
            <PositionCard
              key={p.address.toBase58()}
              entry={p}
              state={s}
              cluster={cluster}
              reload={reload}
            />
          ))}
          {operated.map((r) => (
            <SelfStakeCard
              key={r.address.toBase58()}
              row={r}
              state={s}
              cluster={cluster}
              reload={reload}
            />
          ))}
        </>
      )}
      <h3>Proposals</h3>
      {s.proposals.length === 0 ? (
        <p data-testid="proposals-empty">No proposals yet.</p>
      ) : (
        s.proposals.map((p) => (
          <ProposalCard
            key={p.address.toBase58()}
            entry={p}
            state={s}
            cluster={cluster}
            reload={reload}
          />
        ))
      )}
      <ProposalForm state={s} cluster={cluster} reload={reload} />
    </section>
  );
}
