//! `localnet`: iogrid's local chain (see the crate documentation in lib.rs).

use {
    anyhow::{Context, Result},
    clap::Parser,
    iogrid_localnet::{
        chain::{Chain, ChainOptions},
        programs, pubsub, rpc,
    },
    std::{
        future::IntoFuture,
        net::{IpAddr, SocketAddr},
        path::PathBuf,
        sync::{Arc, Mutex},
        time::Duration,
    },
    tokio::{net::TcpListener, sync::broadcast},
};

#[derive(Parser)]
#[command(
    version,
    about = "iogrid local chain: workspace programs over the Solana JSON-RPC and websocket APIs"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// JSON-RPC (HTTP) port; 0 picks a free one.
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// PubSub (websocket) port; 0 picks a free one.
    #[arg(long, default_value_t = 8900)]
    ws_port: u16,
    /// Milliseconds per slot.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    slot_ms: u64,
    /// Keep accounts and transaction history here, and resume from it on restart.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Start from genesis, deleting what `--state-dir` holds.
    #[arg(long, requires = "state_dir")]
    reset: bool,
    /// Transactions kept for getTransaction / getSignaturesForAddress.
    #[arg(long, default_value_t = 500_000)]
    history_limit: usize,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    // Keys that native programs log with `Pubkey::log` (Anchor's failed key comparisons) reach
    // the transaction logs as they do on a validator.
    iogrid_svm::capture_stdout_as_program_logs().context("capturing program output")?;
    if let (true, Some(dir)) = (args.reset, &args.state_dir) {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("resetting {}", dir.display()))?;
        }
    }
    let (events, _) = broadcast::channel(1 << 16);
    let chain = Chain::open(
        ChainOptions {
            state_dir: args.state_dir.as_deref(),
            history_limit: args.history_limit,
        },
        events,
    )
    .context("opening the chain")?;
    let chain = Arc::new(Mutex::new(chain));

    let rpc_listener = TcpListener::bind(SocketAddr::new(args.bind, args.rpc_port))
        .await
        .with_context(|| format!("binding the JSON-RPC port {}", args.rpc_port))?;
    let ws_listener = TcpListener::bind(SocketAddr::new(args.bind, args.ws_port))
        .await
        .with_context(|| format!("binding the websocket port {}", args.ws_port))?;
    let rpc_address = rpc_listener.local_addr()?;
    let ws_address = ws_listener.local_addr()?;

    let rpc_server = axum::serve(rpc_listener, rpc::router(chain.clone()));
    let ws_server = axum::serve(ws_listener, pubsub::router(chain.clone()));
    let slots = tokio::spawn(produce_slots(
        chain.clone(),
        Duration::from_millis(args.slot_ms),
    ));

    {
        let chain = rpc::lock(&chain);
        eprintln!(
            "localnet: slot {}, genesis {}, programs: {}",
            chain.slot(),
            chain.genesis_hash(),
            programs::workspace_programs()
                .iter()
                .map(|program| format!("{} {}", program.name, program.id))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("localnet ready rpc=http://{rpc_address} ws=ws://{ws_address}");

    tokio::select! {
        result = rpc_server.into_future() => result.context("JSON-RPC server")?,
        result = ws_server.into_future() => result.context("websocket server")?,
        result = slots => result.context("slot producer")??,
        _ = shutdown_signal() => {}
    }
    // A clean stop folds the journal into a snapshot, so the next start replays nothing.
    rpc::lock(&chain)
        .compact()
        .context("writing the final snapshot")?;
    eprintln!("localnet: stopped");
    Ok(())
}

async fn produce_slots(chain: rpc::SharedChain, slot_duration: Duration) -> Result<()> {
    let mut interval = tokio::time::interval(slot_duration);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        rpc::lock(&chain)
            .advance_slot()
            .context("advancing the slot")?;
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
