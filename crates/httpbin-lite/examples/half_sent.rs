//! Half-sent requests against a running httpbin-lite: opens N connections that each send the
//! start of a request and then nothing, times one real `GET /uuid` while they are open, shows
//! the server's memory and files (given its pid), and watches the server close them. Times
//! are from the first connect.
//!
//! ```sh
//! cargo run --release -p httpbin-lite --example half_sent -- 127.0.0.1:8080 2000 "$PID"
//! ```

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use std::{env, fs, thread};

/// How long a connect, or the real request, may take before we call it unanswered.
const PATIENCE: Duration = Duration::from_secs(10);

/// How long to watch the half-sent connections for the server closing them.
const WATCH: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (Some(addr), Some(count)) = (
        args.first().and_then(|a| a.parse::<SocketAddr>().ok()),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: half_sent ADDR COUNT [SERVER_PID], e.g. 127.0.0.1:8080 2000 4242");
        return ExitCode::from(2);
    };
    let pid = args.get(2);
    // Each connection is a file descriptor here too. If the limit cannot be raised, we open
    // what it allows, and say how many.
    let _ = rlimit::increase_nofile_limit(u64::MAX);

    let start = Instant::now();
    let mut open = half_send(addr, count);
    let opened = open.len();
    println!(
        "{opened} half-sent connections open after {:?}",
        start.elapsed()
    );

    let asked = Instant::now();
    match real_request(addr) {
        Ok(status) => println!("GET /uuid: {status} after {:?}", asked.elapsed()),
        Err(err) => println!("GET /uuid: no answer ({err}) after {:?}", asked.elapsed()),
    }
    if let Some(pid) = pid {
        println!("server: {}", server_usage(pid));
    }

    let mut first_closed = None;
    while !open.is_empty() && start.elapsed() < WATCH {
        open.retain_mut(|stream| !closed_by_server(stream));
        if first_closed.is_none() && open.len() < opened {
            first_closed = Some(start.elapsed());
        }
        thread::sleep(Duration::from_millis(50));
    }
    match (open.len(), first_closed) {
        (0, Some(first)) => println!(
            "all closed by the server: the first after {first:?}, the last after {:?}",
            start.elapsed()
        ),
        (left, _) => println!("{left} still open after {:?}", start.elapsed()),
    }
    if let Some(pid) = pid {
        println!("server: {}", server_usage(pid));
    }
    ExitCode::SUCCESS
}

/// Opens up to `count` connections, each sending a request line and one header but never the
/// blank line that ends the head. Stops at the first that cannot connect.
fn half_send(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let mut open = Vec::with_capacity(count);
    for _ in 0..count {
        let sent = TcpStream::connect_timeout(&addr, PATIENCE).and_then(|mut stream| {
            write!(stream, "GET /uuid HTTP/1.1\r\nHost: {addr}\r\n")?;
            // Polled later, without waiting on any one of them.
            stream.set_nonblocking(true)?;
            Ok(stream)
        });
        match sent {
            Ok(stream) => open.push(stream),
            Err(err) => {
                println!("connection {} failed: {err}", open.len() + 1);
                break;
            }
        }
    }
    open
}

/// One whole `GET /uuid`; its status line.
fn real_request(addr: SocketAddr) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    write!(
        stream,
        "GET /uuid HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer
        .lines()
        .next()
        .unwrap_or("an empty answer")
        .to_owned())
}

/// Whether the server has closed this connection: end of file, or a reset.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0; 512];
    match stream.read(&mut buf) {
        Ok(0) => true,
        // Anything it sends before closing (hyper sends nothing) is read and passed over.
        Ok(_) => false,
        Err(err) => err.kind() != ErrorKind::WouldBlock,
    }
}

/// The server's resident memory (now and at its peak) and its open files, from /proc.
fn server_usage(pid: &str) -> String {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map_or("?".to_owned(), |value| value.trim().to_owned())
    };
    let files = fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |fds| fds.count());
    format!(
        "RSS {}, peak RSS {}, {files} open files",
        field("VmRSS:"),
        field("VmHWM:")
    )
}
