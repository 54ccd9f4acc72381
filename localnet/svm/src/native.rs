//! Native program execution: a LiteSVM builtin that runs a program's Rust entrypoint in-process.
//!
//! A validator runs an SBF program by serialising the instruction's accounts into the VM's input
//! region, running the program, and copying the region back into the transaction with every
//! ownership/privilege check (`serialize_parameters` / `deserialize_parameters`). We do the same
//! with the same two runtime functions; only the middle step differs: the program's entrypoint is
//! called directly on the serialised bytes. Syscalls a program makes (CPI, sysvars, logs, return
//! data) arrive through `solana_program::program_stubs` and are answered from the live
//! `InvokeContext`, charging the same compute costs the validator's syscalls charge.
//!
//! Logs are validator-exact: the runtime itself writes `Program <id> invoke [n]` and
//! `success`/`failed: ...` around every builtin; this module adds `Program log:` (from `msg!`, via
//! the patched `solana-msg` sink, and from what the program prints when the host captures standard
//! output, see `stdout_logs`), `Program data:` (from `emit!`), `Program <id> consumed ...` and
//! `Program return: ...`, in the order the BPF loader writes them.
//!
//! Compute units: a native program executes no SBF instructions, so the units it reports are the
//! syscall costs it incurred (logs, CPI, sysvars, return data) plus [`NATIVE_INVOCATION_COST`].
//! They are a lower bound of what the same program would consume on-chain.

use {
    crate::stdout_logs,
    litesvm::LiteSVM,
    solana_account::Account,
    solana_log_collector::ic_msg,
    solana_program::{
        account_info::AccountInfo,
        entrypoint::{deserialize, ProgramResult},
        instruction::{AccountMeta, Instruction, InstructionError},
        program_error::ProgramError,
        program_stubs::{self, SyscallStubs},
        pubkey::Pubkey,
        stable_layout::stable_instruction::StableInstruction,
        sysvar::Sysvar,
    },
    solana_program_runtime::{
        invoke_context::{InvokeContext, SerializedAccountMetadata},
        serialization::{deserialize_parameters, serialize_parameters},
        solana_sbpf::{
            declare_builtin_function, ebpf::MM_INPUT_START, memory_region::MemoryMapping,
            vm::ContextObject,
        },
        stable_log,
    },
    solana_sdk_ids::native_loader,
    solana_transaction_context::{BorrowedAccount, IndexOfAccount},
    std::{
        cell::RefCell,
        collections::HashMap,
        panic::{self, AssertUnwindSafe},
        sync::{Arc, Once, RwLock},
    },
};

/// The signature of a `solana_program` entrypoint (`process_instruction`).
pub type ProcessInstruction = fn(&Pubkey, &[AccountInfo], &[u8]) -> ProgramResult;

/// Units charged for entering a native program, standing in for the SBF entrypoint's own work.
pub const NATIVE_INVOCATION_COST: u64 = 1_000;

/// Adapts an Anchor program's `entry` to [`ProcessInstruction`].
///
/// Anchor declares `entry<'info>(&Pubkey, &'info [AccountInfo<'info>], &[u8])`, which ties the
/// slice's lifetime to the accounts' lifetime; a `ProcessInstruction` takes them independently.
/// Both borrows live for the whole call, so narrowing them to one lifetime is sound.
#[macro_export]
macro_rules! anchor_processor {
    ($entry:path) => {{
        fn process_instruction(
            program_id: &$crate::Pubkey,
            accounts: &[$crate::AccountInfo],
            data: &[u8],
        ) -> $crate::ProgramResult {
            // SAFETY: only the lifetime parameters change; see the macro documentation.
            let accounts: &[$crate::AccountInfo] =
                unsafe { &*(accounts as *const [$crate::AccountInfo]) };
            $entry(program_id, accounts, data)
        }
        process_instruction as $crate::ProcessInstruction
    }};
}

/// Native programs by id. The builtin entrypoint is one function for all programs, so it looks
/// the program up here.
static PROGRAMS: RwLock<Option<HashMap<Pubkey, ProcessInstruction>>> = RwLock::new(None);

/// Loads `process_instruction` into `svm` at `program_id`, as an executable owned by the native
/// loader (LiteSVM 0.7 registers builtins owned by the BPF loader, which then tries to run the
/// account data as SBF and fails with `UnsupportedProgramId`).
pub fn add_native_program(
    svm: &mut LiteSVM,
    program_id: Pubkey,
    process_instruction: ProcessInstruction,
) {
    install_process_hooks();
    PROGRAMS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(program_id, process_instruction);
    svm.add_builtin(program_id, NativeEntrypoint::vm);
    let program_account = Account {
        lamports: svm.minimum_balance_for_rent_exemption(0).max(1),
        data: Vec::new(),
        owner: native_loader::id(),
        executable: true,
        rent_epoch: 0,
    };
    svm.set_account(program_id, program_account)
        .expect("a native-loader executable is accepted by LiteSVM");
}

fn registered_program(program_id: &Pubkey) -> Option<ProcessInstruction> {
    PROGRAMS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .and_then(|programs| programs.get(program_id).copied())
}

/// The error a panicking program fails with; its text is the validator's for an SBF abort.
#[derive(Debug)]
struct ProgramPanicked;

impl std::fmt::Display for ProgramPanicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SBF program panicked")
    }
}

impl std::error::Error for ProgramPanicked {}

/// One native program invocation on this thread's call stack.
struct Frame {
    /// The invocation's runtime context. Valid for as long as the frame is on the stack: the
    /// builtin that pushed it holds the `&mut InvokeContext` and does not touch it meanwhile.
    invoke_context: *mut InvokeContext<'static>,
    /// The program's serialised input region and where each instruction account lies in it.
    input: *mut u8,
    accounts_metadata: Vec<SerializedAccountMetadata>,
    /// A failed CPI aborts the calling program on-chain, whatever the program does with the error
    /// it is handed; the builtin returns this error instead of the program's result.
    cpi_failure: Option<InstructionError>,
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the innermost native invocation's context, or returns `None` when this thread is
/// not executing a native program (e.g. a program function called directly from a unit test).
fn with_invoke_context<R>(f: impl FnOnce(&mut InvokeContext<'static>) -> R) -> Option<R> {
    let pointer = FRAMES.with(|frames| frames.borrow().last().map(|frame| frame.invoke_context))?;
    // SAFETY: see `Frame::invoke_context`; the borrow of FRAMES is released before `f` runs, so
    // `f` may re-enter (a CPI into another native program pushes a frame).
    Some(f(unsafe { &mut *pointer }))
}

/// Where the innermost program's input region holds the owner of its `index_in_caller`-th
/// instruction account.
fn owner_in_input(index_in_caller: IndexOfAccount) -> Option<*mut Pubkey> {
    FRAMES.with(|frames| {
        let frames = frames.borrow();
        let frame = frames.last()?;
        let metadata = frame.accounts_metadata.get(index_in_caller as usize)?;
        let offset = metadata.vm_owner_addr.checked_sub(MM_INPUT_START)? as usize;
        // SAFETY: the offset was computed by `serialize_parameters` for this very region.
        Some(unsafe { frame.input.add(offset) } as *mut Pubkey)
    })
}

fn record_cpi_failure(error: InstructionError) {
    FRAMES.with(|frames| {
        if let Some(frame) = frames.borrow_mut().last_mut() {
            frame.cpi_failure.get_or_insert(error);
        }
    });
}

declare_builtin_function!(
    /// The builtin entrypoint shared by all native programs.
    NativeEntrypoint,
    fn rust(
        invoke_context: &mut InvokeContext,
        _arg0: u64,
        _arg1: u64,
        _arg2: u64,
        _arg3: u64,
        _arg4: u64,
        _memory_mapping: &mut MemoryMapping,
    ) -> Result<u64, Box<dyn std::error::Error>> {
        execute(invoke_context).map(|()| 0)
    }
);

fn execute(invoke_context: &mut InvokeContext) -> Result<(), Box<dyn std::error::Error>> {
    let log_collector = invoke_context.get_log_collector();
    let units_before = invoke_context.get_remaining();
    invoke_context.consume_checked(NATIVE_INVOCATION_COST)?;

    let transaction_context = &invoke_context.transaction_context;
    let instruction_context = transaction_context.get_current_instruction_context()?;
    let program_id = *instruction_context.get_last_program_key(transaction_context)?;
    let process_instruction =
        registered_program(&program_id).ok_or(InstructionError::UnsupportedProgramId)?;
    let mask_out_rent_epoch = invoke_context
        .get_feature_set()
        .mask_out_rent_epoch_in_vm_serialization;
    let (mut parameters, _regions, accounts_metadata) = serialize_parameters(
        transaction_context,
        instruction_context,
        true, // copy account data: there is no VM to map it into
        mask_out_rent_epoch,
    )?;

    let input = parameters.as_slice_mut().as_mut_ptr();
    FRAMES.with(|frames| {
        frames.borrow_mut().push(Frame {
            // SAFETY: erases the context's lifetime; the frame is popped before this returns.
            invoke_context: unsafe {
                std::mem::transmute::<&mut InvokeContext, &mut InvokeContext<'static>>(
                    &mut *invoke_context,
                )
            },
            input,
            accounts_metadata: accounts_metadata.clone(),
            cpi_failure: None,
        })
    });
    let redirect = stdout_logs::begin();
    let outcome = {
        // SAFETY: `parameters` is a serialised input region laid out exactly as the SBF
        // entrypoint expects, and outlives the account infos borrowed from it.
        let (program_id, account_infos, data) = unsafe { deserialize(input) };
        panic::catch_unwind(AssertUnwindSafe(|| {
            process_instruction(program_id, &account_infos, data)
        }))
    };
    stdout_logs::drain(true, |line| stable_log::program_log(&log_collector, line));
    drop(redirect);
    let frame = FRAMES
        .with(|frames| frames.borrow_mut().pop())
        .ok_or(InstructionError::CallDepth)?;

    ic_msg!(
        invoke_context,
        "Program {} consumed {} of {} compute units",
        program_id,
        units_before.saturating_sub(invoke_context.get_remaining()),
        units_before
    );
    let (_, return_data) = invoke_context.transaction_context.get_return_data();
    if !return_data.is_empty() {
        stable_log::program_return(&log_collector, &program_id, return_data);
    }

    match (frame.cpi_failure, outcome) {
        (Some(cpi_error), _) => return Err(Box::new(cpi_error)),
        (None, Err(_panic)) => return Err(Box::new(ProgramPanicked)),
        (None, Ok(Err(program_error))) => {
            return Err(Box::new(InstructionError::from(u64::from(program_error))))
        }
        (None, Ok(Ok(()))) => {}
    }

    let transaction_context = &invoke_context.transaction_context;
    deserialize_parameters(
        transaction_context,
        transaction_context.get_current_instruction_context()?,
        true,
        parameters.as_slice(),
        &accounts_metadata,
    )?;
    Ok(())
}

/// Installs, once per process, everything native execution needs from global hooks: the syscall
/// stubs, the `msg!` sink and a panic hook that logs a program's panic like the SBF panic handler.
pub fn install_process_hooks() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        program_stubs::set_syscall_stubs(Box::new(NativeSyscalls));
        solana_msg::set_native_log_sink(log_message);
        let default_hook = Arc::new(panic::take_hook());
        panic::set_hook(Box::new(move |info| {
            // The SBF panic handler logs `panicked at <file>:<line>:<col>:\n<message>`.
            let logged = with_invoke_context(|invoke_context| {
                stable_log::program_log(&invoke_context.get_log_collector(), &info.to_string())
            });
            if logged.is_none() {
                default_hook(info);
            }
        }));
    });
}

/// `msg!` inside a native program: `Program log: <message>`, charged like `sol_log_`.
fn log_message(message: &str) {
    let logged = with_invoke_context(|invoke_context| {
        let cost = invoke_context
            .get_execution_cost()
            .syscall_base_cost
            .max(message.len() as u64);
        charge(invoke_context, cost);
        flush_printed_lines(invoke_context);
        stable_log::program_log(&invoke_context.get_log_collector(), message);
    });
    if logged.is_none() {
        println!("{message}");
    }
}

/// Logs the lines the running program printed since its last log line (see `stdout_logs`), so
/// they come before whatever it logs next: a message, event data or a CPI's invocation.
fn flush_printed_lines(invoke_context: &InvokeContext) {
    let log_collector = invoke_context.get_log_collector();
    stdout_logs::drain(false, |line| stable_log::program_log(&log_collector, line));
}

/// Consumes compute units; running out is reported by the runtime's meter at the next check, as
/// the validator's syscalls do (the meter saturates at zero).
fn charge(invoke_context: &mut InvokeContext, units: u64) {
    let _ = invoke_context.consume_checked(units);
}

struct NativeSyscalls;

impl SyscallStubs for NativeSyscalls {
    fn sol_log(&self, message: &str) {
        log_message(message);
    }

    fn sol_log_compute_units(&self) {
        with_invoke_context(|invoke_context| {
            charge(
                invoke_context,
                invoke_context.get_execution_cost().syscall_base_cost,
            );
            let remaining = invoke_context.get_remaining();
            ic_msg!(
                invoke_context,
                "Program consumption: {} units remaining",
                remaining
            );
        });
    }

    fn sol_remaining_compute_units(&self) -> u64 {
        with_invoke_context(|invoke_context| {
            charge(
                invoke_context,
                invoke_context.get_execution_cost().syscall_base_cost,
            );
            invoke_context.get_remaining()
        })
        .unwrap_or(0)
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        with_invoke_context(|invoke_context| {
            let cost = invoke_context.get_execution_cost();
            let bytes: u64 = fields.iter().map(|field| field.len() as u64).sum();
            let units = cost
                .syscall_base_cost
                .saturating_add(cost.syscall_base_cost.saturating_mul(fields.len() as u64))
                .saturating_add(bytes);
            charge(invoke_context, units);
            flush_printed_lines(invoke_context);
            stable_log::program_data(&invoke_context.get_log_collector(), fields);
        });
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let outcome = with_invoke_context(|invoke_context| {
            flush_printed_lines(invoke_context);
            invoke_signed(invoke_context, instruction, account_infos, signers_seeds)
        })
        .unwrap_or(Err(InstructionError::UnsupportedProgramId));
        outcome.map_err(|error| {
            let program_error =
                ProgramError::try_from(error.clone()).unwrap_or(ProgramError::Custom(u32::MAX));
            record_cpi_failure(error);
            program_error
        })
    }

    fn sol_get_sysvar(
        &self,
        sysvar_id_addr: *const u8,
        var_addr: *mut u8,
        offset: u64,
        length: u64,
    ) -> u64 {
        with_invoke_context(|invoke_context| {
            // SAFETY: the caller passes a pointer to a 32-byte sysvar id.
            let sysvar_id = unsafe { &*(sysvar_id_addr as *const Pubkey) };
            let cost = invoke_context.get_execution_cost();
            charge(
                invoke_context,
                cost.sysvar_base_cost
                    .saturating_add(32 / cost.cpi_bytes_per_unit)
                    .saturating_add(length / cost.cpi_bytes_per_unit)
                    .max(cost.mem_op_base_cost),
            );
            let Some(buffer) = invoke_context
                .get_sysvar_cache()
                .sysvar_id_to_buffer(sysvar_id)
                .as_ref()
            else {
                return SYSVAR_NOT_FOUND;
            };
            let start = offset as usize;
            let Some(bytes) = start
                .checked_add(length as usize)
                .and_then(|end| buffer.get(start..end))
            else {
                return OFFSET_LENGTH_EXCEEDS_SYSVAR;
            };
            // SAFETY: the caller passes a buffer of `length` bytes.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), var_addr, bytes.len()) };
            SUCCESS
        })
        .unwrap_or(SYSVAR_NOT_FOUND)
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, |ic| ic.get_sysvar_cache().get_clock())
    }

    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, |ic| ic.get_sysvar_cache().get_epoch_schedule())
    }

    #[allow(deprecated)]
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, |ic| ic.get_sysvar_cache().get_fees())
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, |ic| ic.get_sysvar_cache().get_rent())
    }

    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, |ic| ic.get_sysvar_cache().get_epoch_rewards())
    }

    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        copy_sysvar(var_addr, |ic| ic.get_sysvar_cache().get_last_restart_slot())
    }

    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        with_invoke_context(|invoke_context| {
            let cost = invoke_context.get_execution_cost();
            let (program_id, data) = invoke_context.transaction_context.get_return_data();
            let (program_id, data) = (*program_id, data.to_vec());
            charge(
                invoke_context,
                cost.syscall_base_cost
                    .saturating_add((data.len() as u64 + 32) / cost.cpi_bytes_per_unit),
            );
            (!data.is_empty()).then_some((program_id, data))
        })
        .flatten()
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        with_invoke_context(|invoke_context| {
            let cost = invoke_context.get_execution_cost();
            charge(
                invoke_context,
                cost.syscall_base_cost
                    .saturating_add(data.len() as u64 / cost.cpi_bytes_per_unit),
            );
            let transaction_context = &mut invoke_context.transaction_context;
            let program_id = transaction_context
                .get_current_instruction_context()
                .and_then(|context| context.get_last_program_key(transaction_context).copied());
            let outcome = program_id.and_then(|program_id| {
                transaction_context.set_return_data(program_id, data.to_vec())
            });
            if let Err(error) = outcome {
                record_cpi_failure(error);
            }
        });
    }

    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        with_invoke_context(|invoke_context| {
            charge(
                invoke_context,
                invoke_context.get_execution_cost().syscall_base_cost,
            );
            processed_sibling_instruction(invoke_context, index)
                .ok()
                .flatten()
        })
        .flatten()
    }

    fn sol_get_stack_height(&self) -> u64 {
        with_invoke_context(|invoke_context| {
            charge(
                invoke_context,
                invoke_context.get_execution_cost().syscall_base_cost,
            );
            invoke_context.get_stack_height() as u64
        })
        .unwrap_or(0)
    }
}

const SUCCESS: u64 = solana_program::entrypoint::SUCCESS;
// Return codes of the `sol_get_sysvar` syscall.
const OFFSET_LENGTH_EXCEEDS_SYSVAR: u64 = 1;
const SYSVAR_NOT_FOUND: u64 = 2;

/// Answers a typed sysvar getter (`Clock::get()` and friends) from the transaction's sysvar cache.
fn copy_sysvar<T: Sysvar + Clone>(
    var_addr: *mut u8,
    get: impl FnOnce(&InvokeContext) -> Result<Arc<T>, InstructionError>,
) -> u64 {
    with_invoke_context(|invoke_context| {
        charge(
            invoke_context,
            invoke_context
                .get_execution_cost()
                .sysvar_base_cost
                .saturating_add(T::size_of() as u64),
        );
        match get(invoke_context) {
            Ok(sysvar) => {
                // SAFETY: the getter passes a pointer to an uninitialised `T`.
                unsafe { std::ptr::write(var_addr as *mut T, T::clone(&sysvar)) };
                SUCCESS
            }
            Err(_) => SYSVAR_NOT_FOUND,
        }
    })
    .unwrap_or(SYSVAR_NOT_FOUND)
}

/// A cross-program invocation, following the validator's `cpi_common`: charge, derive the PDA
/// signers, check privileges, copy the caller's pending account changes into the transaction,
/// run the callee, and copy the callee's changes back into the caller's account infos.
fn invoke_signed(
    invoke_context: &mut InvokeContext,
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> Result<(), InstructionError> {
    charge(
        invoke_context,
        invoke_context.get_execution_cost().invoke_units,
    );
    let transaction_context = &invoke_context.transaction_context;
    let caller_context = transaction_context.get_current_instruction_context()?;
    let caller_id = *caller_context.get_last_program_key(transaction_context)?;

    let signers = signers_seeds
        .iter()
        .map(|seeds| {
            Pubkey::create_program_address(seeds, &caller_id).map_err(|error| {
                ic_msg!(
                    invoke_context,
                    "Could not create program address with signer seeds: {}",
                    error
                );
                InstructionError::InvalidSeeds
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let stable_instruction = StableInstruction::from(instruction.clone());
    let (instruction_accounts, program_indices) =
        invoke_context.prepare_instruction(&stable_instruction, &signers)?;
    if native_loader::check_id(&instruction.program_id)
        || solana_program::bpf_loader::check_id(&instruction.program_id)
        || solana_program::bpf_loader_deprecated::check_id(&instruction.program_id)
        || invoke_context.is_precompile(&instruction.program_id)
    {
        ic_msg!(
            invoke_context,
            "Program {} is not supported by cross-program invocation",
            instruction.program_id
        );
        return Err(InstructionError::UnsupportedProgramId);
    }

    // CPI entry: the callee must see the caller's changes made so far.
    let transaction_context = &invoke_context.transaction_context;
    let caller_context = transaction_context.get_current_instruction_context()?;
    let mut writable_accounts = Vec::new();
    for (index_in_callee, instruction_account) in instruction_accounts.iter().enumerate() {
        if (index_in_callee as IndexOfAccount) != instruction_account.index_in_callee {
            continue; // a duplicate of an account already synchronised
        }
        let mut callee_account = caller_context.try_borrow_instruction_account(
            transaction_context,
            instruction_account.index_in_caller,
        )?;
        #[allow(deprecated)] // the validator's own test for program accounts in 2.3
        if callee_account.is_executable() {
            continue; // program accounts are not synchronised
        }
        let key = *callee_account.get_key();
        let Some(account_info) = account_infos.iter().find(|info| *info.key == key) else {
            ic_msg!(
                invoke_context,
                "Instruction references an unknown account {}",
                key
            );
            return Err(InstructionError::MissingAccount);
        };
        copy_into_transaction(account_info, &mut callee_account)?;
        if instruction_account.is_writable {
            writable_accounts.push((instruction_account.index_in_caller, account_info));
        }
    }

    let mut compute_units_consumed = 0;
    invoke_context.process_instruction(
        &stable_instruction.data,
        &instruction_accounts,
        &program_indices,
        &mut compute_units_consumed,
        &mut Default::default(),
    )?;

    // CPI exit: the caller must see the callee's changes.
    let transaction_context = &invoke_context.transaction_context;
    let caller_context = transaction_context.get_current_instruction_context()?;
    for (index_in_caller, account_info) in writable_accounts {
        let callee_account =
            caller_context.try_borrow_instruction_account(transaction_context, index_in_caller)?;
        let owner = owner_in_input(index_in_caller).ok_or(InstructionError::MissingAccount)?;
        copy_into_account_info(&callee_account, account_info, owner)?;
    }
    Ok(())
}

/// The validator's `update_callee_account`: apply what the caller changed through its account
/// info, subject to the usual ownership and writability checks.
fn copy_into_transaction(
    account_info: &AccountInfo,
    account: &mut BorrowedAccount,
) -> Result<(), InstructionError> {
    if account.get_lamports() != account_info.lamports() {
        account.set_lamports(account_info.lamports())?;
    }
    let data = account_info
        .try_borrow_data()
        .map_err(|_| InstructionError::AccountBorrowFailed)?;
    match account
        .can_data_be_resized(data.len())
        .and_then(|()| account.can_data_be_changed())
    {
        Ok(()) => account.set_data_from_slice(&data)?,
        Err(error) if account.get_data() != *data => return Err(error),
        Err(_) => {}
    }
    // The owner last, so that lamports and data could still be changed by the old owner.
    if account.get_owner() != account_info.owner {
        account.set_owner(account_info.owner.as_ref())?;
    }
    Ok(())
}

/// The validator's `update_caller_account`: reflect the callee's changes in the caller's account
/// info (lamports, owner, data and its length, within the realloc limit of the input region).
fn copy_into_account_info(
    account: &BorrowedAccount,
    account_info: &AccountInfo,
    owner_in_input: *mut Pubkey,
) -> Result<(), InstructionError> {
    **account_info
        .try_borrow_mut_lamports()
        .map_err(|_| InstructionError::AccountBorrowFailed)? = account.get_lamports();
    if account_info.owner != account.get_owner() {
        // SAFETY: the owner field of this account in the caller's input region (which
        // `account_info.owner` points at), written as the SBF runtime writes it.
        unsafe { owner_in_input.write_unaligned(*account.get_owner()) };
    }
    let data = account.get_data();
    if account_info.data_len() != data.len() {
        account_info
            .resize(data.len())
            .map_err(|_| InstructionError::InvalidRealloc)?;
    }
    account_info
        .try_borrow_mut_data()
        .map_err(|_| InstructionError::AccountBorrowFailed)?
        .copy_from_slice(data);
    Ok(())
}

/// `sol_get_processed_sibling_instruction`: the `index`-th most recent instruction processed at
/// the current stack height.
fn processed_sibling_instruction(
    invoke_context: &InvokeContext,
    index: usize,
) -> Result<Option<Instruction>, InstructionError> {
    let transaction_context = &invoke_context.transaction_context;
    let stack_height = invoke_context.get_stack_height();
    let mut siblings_seen = 0;
    for index_in_trace in (0..transaction_context.get_instruction_trace_length()).rev() {
        let context =
            transaction_context.get_instruction_context_at_index_in_trace(index_in_trace)?;
        if context.get_stack_height() < stack_height {
            break;
        }
        if context.get_stack_height() != stack_height {
            continue;
        }
        if siblings_seen == index + 1 {
            let accounts = (0..context.get_number_of_instruction_accounts())
                .map(|account_index| {
                    Ok(AccountMeta {
                        pubkey: *transaction_context.get_key_of_account_at_index(
                            context
                                .get_index_of_instruction_account_in_transaction(account_index)?,
                        )?,
                        is_signer: context.is_instruction_account_signer(account_index)?,
                        is_writable: context.is_instruction_account_writable(account_index)?,
                    })
                })
                .collect::<Result<Vec<_>, InstructionError>>()?;
            return Ok(Some(Instruction {
                program_id: *context.get_last_program_key(transaction_context)?,
                accounts,
                data: context.get_instruction_data().to_vec(),
            }));
        }
        siblings_seen += 1;
    }
    Ok(None)
}
