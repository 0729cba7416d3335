//! Accepting connections and serving the routes on each, with two guards `axum::serve` does
//! not offer. Without them a client that sends half a request and then nothing holds its
//! connection, and a file descriptor, forever; enough of them and no one else is answered.
//! - A header timeout: a client that has not sent a whole request head in time is closed.
//! - A bound on the connections held at once, kept below the open-file limit, so accepting
//!   never fails for want of a file descriptor.
//!
//! Each connection speaks HTTP/1.1 or, if its first bytes are HTTP/2's preface, HTTP/2 over
//! plain TCP ("h2c with prior knowledge"): many requests in flight as streams of one connection.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::Request;
use hyper::body::Incoming;
use hyper::service::{Service, service_fn};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// File descriptors kept for the server's own use, outside the connections: stdin, stdout
/// and stderr, the listener, tokio's epoll and wakers.
const RESERVED_FILES: u64 = 100;

/// How long to wait after the system refused to accept (out of file descriptors, most
/// likely) before trying again; what hyper and axum wait.
const ACCEPT_RETRY: Duration = Duration::from_secs(1);

/// The two guards, as the flags set them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client has to send a request's head: from connecting, or from the answer
    /// before on a kept-alive connection. Then its connection is closed.
    pub header_timeout: Duration,
    /// How many connections to hold at once. The next ones wait in the kernel's backlog.
    pub max_connections: u32,
    /// How many requests one HTTP/2 connection may have in flight at once.
    pub h2_max_streams: u32,
}

/// The default bound: as many connections as the open-file limit allows, less the server's
/// own files.
pub fn connections_within(open_files: u64) -> u32 {
    let room = open_files.saturating_sub(RESERVED_FILES).max(1);
    u32::try_from(room).unwrap_or(u32::MAX)
}

/// Accepts connections and serves `app` on each. Returns only if it cannot go on.
pub async fn run(listener: TcpListener, app: Router, limits: Limits) -> Result<(), String> {
    // An HTTP/2 connection runs each stream as a task of its own, on tokio.
    let mut http = auto::Builder::new(TokioExecutor::new());
    // hyper measures the header timeout with the timer it is given; with none, it has none.
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    // Past this many streams a client must wait for one to end: reqwest then queues the rest,
    // and the wait counts against each request's timeout.
    http.http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.h2_max_streams);
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    loop {
        // A slot first, then accept: while every slot is taken we accept nothing, and new
        // connections wait their turn in the kernel's backlog rather than being refused, so a
        // burst beyond the bound is answered late, not failed. A connection that sends
        // nothing gives its slot back within the header timeout.
        let slot = match slots.clone().acquire_owned().await {
            Ok(slot) => slot,
            // Only a closed semaphore refuses a permit, and nothing closes this one.
            Err(closed) => return Err(format!("cannot hold a connection: {closed}")),
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // That client gave up while it waited in the backlog; accept the next one.
            Err(err) if is_connection_error(&err) => continue,
            Err(err) => {
                // Out of file descriptors, most likely (a --max-connections above the
                // limit): retrying at once would spin until some connection closes.
                eprintln!("httpbin-lite: cannot accept: {err}; retrying in {ACCEPT_RETRY:?}");
                tokio::time::sleep(ACCEPT_RETRY).await;
                continue;
            }
        };
        // Each answer is one small write: sent at once, not held back by Nagle's algorithm
        // for an ACK that HTTP/2's few large frames may not prompt for 40 ms.
        let _ = stream.set_nodelay(true);
        let http = http.clone();
        let routes = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            // The handlers read the client's address with `ConnectInfo`, which axum::serve
            // attaches to every request; here we do.
            let service = service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                routes.call(request)
            });
            // hyper ends a connection with an error when the head came too late, the client
            // went away, or an answer was dropped on purpose (--drop-rate). Each ends this
            // connection alone, as it should, and there is no one to tell.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
            // The task owns the slot until here, so it stays taken while the connection is
            // open; now it is free for the next one.
            drop(slot);
        });
    }
}

fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    )
}

/// Parses `--header-timeout`: a duration as `--delay` takes it, but not zero, which would
/// close every connection before its request could arrive.
pub fn parse_header_timeout(text: &str) -> Result<Duration, String> {
    match common::parse_duration(text)? {
        Duration::ZERO => Err(format!(
            "'{text}' would close every connection before its request; give e.g. 5s"
        )),
        timeout => Ok(timeout),
    }
}

/// Parses `--max-connections` and `--h2-max-streams`: a whole number, at least 1.
pub fn parse_max_connections(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(0) => Err("'0' would allow none; give at least 1".into()),
        Ok(most) => Ok(most),
        Err(_) => Err(format!("'{text}' is not a whole number (e.g. 1000)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bound_leaves_room_for_the_servers_own_files() {
        for (files, connections) in [(20_000, 19_900), (50, 1), (u64::MAX, u32::MAX)] {
            assert_eq!(connections_within(files), connections, "{files} files");
        }
    }

    #[test]
    fn zero_is_refused_for_either_limit() {
        assert_eq!(
            parse_header_timeout("1.5s"),
            Ok(Duration::from_millis(1500))
        );
        assert!(parse_header_timeout("0").is_err());
        assert!(parse_header_timeout("0ms").is_err());
        assert!(parse_header_timeout("soon").is_err());
        assert_eq!(parse_max_connections("1000"), Ok(1000));
        for bad in ["0", "-1", "many", "99999999999"] {
            assert!(parse_max_connections(bad).is_err(), "{bad}");
        }
    }
}
