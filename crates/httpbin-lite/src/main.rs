//! httpbin-lite: a local stand-in for httpbin.org.
//!
//! The slides fetch `/uuid`; this server answers it exactly as httpbin.org does, after a
//! delay we choose (`--delay`, 1 s by default, about what the talk saw over the network).
//! So a workshop works without Wi-Fi, and every run waits the same. `/stats` tells how many
//! requests were in flight at once: that is how the tests prove a slide is concurrent.

mod faults;
mod routes;
mod server;
mod stats;

use std::io::{self, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::{parse_duration, parse_flags_or_exit, usage_error};
use tokio::net::{TcpListener, TcpSocket};

use crate::faults::{FaultRates, Faults, parse_rate};
use crate::server::{Limits, parse_header_timeout, parse_max_connections};

/// How many connections may wait to be accepted. tokio's `TcpListener::bind` asks for 128,
/// too few when a slide opens thousands of connections at once; the kernel caps this at
/// `net.core.somaxconn` anyway.
const BACKLOG: u32 = 4096;

/// A local stand-in for httpbin.org: /uuid, /delay/{seconds}, /status/{code}, /get, /stats.
/// Faults on request: --fail-rate, --drop-rate, --garbage-rate, --jitter, --seed.
#[derive(Debug, Parser)]
#[command(name = "httpbin-lite", version)]
struct Flags {
    /// Address to listen on. Loopback by default; 0.0.0.0 would expose it to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,

    /// Port to listen on; 0 picks a free one (the first line printed says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,

    /// Wait this long before answering each /uuid (0, 250ms, 1s, 1.5s).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    delay: Duration,

    /// Share of /uuid answers that fail with a 500 or a 503 (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_rate)]
    fail_rate: f64,

    /// Share of /uuid requests whose connection is closed without an answer.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_rate)]
    drop_rate: f64,

    /// Share of /uuid answers that are a 200 whose body is not a UUID.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_rate)]
    garbage_rate: f64,

    /// Each /uuid answer waits a further random time, up to this.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    jitter: Duration,

    /// Seed for the faults and the jitter, so that a run can be repeated exactly.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Close a connection that has not sent a whole request head within this time, counted
    /// from connecting or from the answer before (so an idle kept-alive one, too).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_header_timeout)]
    header_timeout: Duration,

    /// Hold at most this many connections at once; more wait in the kernel's backlog until one
    /// closes, to be answered late rather than refused [default: the open-file limit, less 100]
    #[arg(long, value_name = "N", value_parser = parse_max_connections)]
    max_connections: Option<u32>,

    /// How many requests one HTTP/2 connection may have in flight at once. Real servers allow
    /// 100 to 250 (hyper's and axum's default is 200); the default here is high enough for
    /// 10,000 in flight on one connection.
    #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = parse_max_connections)]
    h2_max_streams: u32,
}

fn main() -> ExitCode {
    let flags: Flags = parse_flags_or_exit();
    if flags.fail_rate + flags.drop_rate + flags.garbage_rate > 1.0 {
        usage_error("--fail-rate, --drop-rate and --garbage-rate add up to more than 1");
    }
    match serve(flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("httpbin-lite: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(flags: Flags) -> Result<(), String> {
    let open_files = common::raise_open_file_limit();
    let limits = Limits {
        header_timeout: flags.header_timeout,
        max_connections: flags
            .max_connections
            .unwrap_or_else(|| server::connections_within(open_files)),
        h2_max_streams: flags.h2_max_streams,
    };
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|err| format!("cannot start the tokio runtime: {err}"))?;
    runtime.block_on(async {
        let addr = SocketAddr::new(flags.host, flags.port);
        let listener = listen(addr).map_err(|err| explain_listen_error(addr, &err))?;
        let local = listener
            .local_addr()
            .map_err(|err| format!("cannot read the bound address: {err}"))?;
        // Scripts and tests start us on port 0 and read this first line to learn the port. One
        // that stops reading (`| head -1`) closes our stdout: the server serves on regardless.
        let mut out = io::stdout();
        let _ = writeln!(out, "httpbin-lite listening on http://{local}");
        let _ = writeln!(
            out,
            "delay {:?} on /uuid; HTTP/1.1 and h2c (at most {} streams a connection); at most \
             {} connections, {:?} to send a request's head; Ctrl-C to stop",
            flags.delay, limits.h2_max_streams, limits.max_connections, limits.header_timeout
        );
        let rates = FaultRates {
            fail: flags.fail_rate,
            drop: flags.drop_rate,
            garbage: flags.garbage_rate,
            jitter: flags.jitter,
        };
        let faults = Faults::new(rates, flags.seed);
        let app = routes::app(flags.delay, faults);
        server::run(listener, app, limits)
            .await
            .map_err(|err| format!("server stopped: {err}"))
    })
}

fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // Lets a restarted server bind at once while old connections sit in TIME_WAIT.
    // (On Linux and macOS it does not let two servers share a port.)
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

fn explain_listen_error(addr: SocketAddr, err: &io::Error) -> String {
    let hint = match err.kind() {
        io::ErrorKind::AddrInUse => {
            " — is another httpbin-lite running? Stop it, or pick another --port (0 picks a free one)"
        }
        io::ErrorKind::AddrNotAvailable => {
            " — that address is not on this machine; try --host 127.0.0.1"
        }
        io::ErrorKind::PermissionDenied => {
            " — ports below 1024 need privileges; pick a port above 1024"
        }
        _ => "",
    };
    format!("cannot listen on {addr}: {err}{hint}")
}
