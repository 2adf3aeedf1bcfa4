//! `oauth-server`: an OAuth 2.0 / OpenID Connect authorization server.
//!
//! `oauth-server [--config FILE] [--listen ADDR]`; with no `--config`, the embedded demo
//! (its records in `$XDG_STATE_HOME/oauth-server/demo.sqlite3`).
//! `oauth-server assertion --client-id ID` mints a client assertion for curl users.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use oauth_hyper::{FileConfig, Server, demo};

/// mimalloc: each request allocates a few dozen small blocks and frees them on the same
/// thread, which it serves from thread-local pages; glibc's malloc spent about a tenth of
/// the token endpoint's user-space instructions there (`benches/README.md`, load section).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An OAuth 2.0 / OpenID Connect authorization server (token, CIBA, PAR, authorize,
/// introspection, revocation) for any number of tenants.
#[derive(Parser, Debug)]
#[command(name = "oauth-server", version)]
struct Args {
    /// The TOML configuration file; without it, the embedded demo tenant.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Listen on this address (overrides `listen` in the file), e.g. 127.0.0.1:8080.
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a client assertion (RFC 7523) for a client_secret_jwt or private_key_jwt client.
    Assertion {
        /// The client.
        #[arg(long)]
        client_id: String,
        /// The tenant (default: the first).
        #[arg(long)]
        tenant: Option<String>,
        /// The `aud` claim (default: the tenant's token endpoint URL).
        #[arg(long)]
        audience: Option<String>,
        /// A file holding the client's private JWK (private_key_jwt; the demo client's key
        /// is built in).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
}

fn load(args: &Args) -> Result<(FileConfig, bool), String> {
    let mut config = match &args.config {
        Some(path) => {
            let mut c =
                FileConfig::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            c.resolve_paths(&dir);
            c
        }
        None => {
            let mut c = demo::config().map_err(|e| format!("demo configuration: {e}"))?;
            c.store = demo::default_store();
            c
        }
    };
    if let Some(listen) = &args.listen {
        config.listen = listen.clone();
        config
            .listen_addr()
            .map_err(|_| format!("--listen: not an IP address and port: {listen:?}"))?;
    }
    Ok((config, args.config.is_none()))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (config, is_demo) = match load(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oauth-server: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Assertion {
        client_id,
        tenant,
        audience,
        key,
    }) = &args.command
    {
        let key = match key.as_ref().map(std::fs::read_to_string).transpose() {
            Ok(k) => k,
            Err(e) => {
                eprintln!("oauth-server: --key: {e}");
                return ExitCode::from(2);
            }
        };
        let base = config
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen));
        return match demo::mint_assertion(
            &config,
            tenant.as_deref(),
            client_id,
            audience.as_deref(),
            key.as_deref(),
            &base,
        ) {
            Ok(jwt) => {
                println!("{jwt}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("oauth-server: {e}");
                ExitCode::from(2)
            }
        };
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oauth-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = match Server::bind(config.clone()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("oauth-server: configuration error: {e}");
                return ExitCode::from(2);
            }
        };
        if is_demo {
            let exe = std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "oauth-server".to_owned());
            // A closed stdout (a script that read what it needed) must not stop the server.
            let mut out = std::io::stdout().lock();
            let _ = std::io::Write::write_all(
                &mut out,
                demo::banner(&config, server.public_base_url(), &exe).as_bytes(),
            );
            let _ = std::io::Write::flush(&mut out);
        }
        tracing::info!(
            address = %server.local_addr(),
            public_base_url = server.public_base_url(),
            tenants = config.tenants.len(),
            "listening"
        );
        server.serve(oauth_hyper::shutdown_signal()).await;
        ExitCode::SUCCESS
    })
}
