//! The connections: HTTP/1.1, one per slot, opened when the slot first needs it; HTTP/2, one
//! for the whole run. Each request is built from parts parsed once, from `--url`.

use std::cell::Cell;
use std::io;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use common::{FetchError, MAX_BODY};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::client::conn::{http1, http2};
use hyper::header::{HOST, HeaderValue};
use hyper::{Request, Response, Uri};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use url::{Host, Url};

/// What every request needs, from `--url`: where to connect, and what to ask for.
pub struct Target {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:8080/uuid`: HTTP/2 sends the scheme and authority as fields of its own.
    absolute: Uri,
    /// `/uuid`: HTTP/1.1's request line names the path, and the Host header the authority.
    path: Uri,
    host: HeaderValue,
}

impl Target {
    /// From `http://IP:PORT/PATH`. A name to look up, or https://, is more than a reference
    /// of the least a request costs needs: the benchmark gives it a loopback address.
    pub fn parse(url: &Url) -> Result<Target, String> {
        let ip = match (url.scheme(), url.host()) {
            ("http", Some(Host::Ipv4(ip))) => IpAddr::V4(ip),
            ("http", Some(Host::Ipv6(ip))) => IpAddr::V6(ip),
            ("http", _) => {
                return Err(format!(
                    "'{url}': give an IP address, not a name to look up"
                ));
            }
            _ => return Err(format!("'{url}': only http:// is spoken here")),
        };
        let absolute: Uri = url
            .as_str()
            .parse()
            .map_err(|err| format!("'{url}': {err}"))?;
        let path = absolute.path_and_query().map_or("/", |path| path.as_str());
        let host = absolute
            .authority()
            .map_or("", |authority| authority.as_str());
        Ok(Target {
            addr: SocketAddr::new(ip, url.port_or_known_default().unwrap_or(80)),
            path: path.parse().map_err(|err| format!("'{url}': {err}"))?,
            host: HeaderValue::from_str(host).map_err(|err| format!("'{url}': {err}"))?,
            absolute,
        })
    }
}

/// A slot's HTTP/1.1 connection, if it has one. A slot sends one request at a time, so taking
/// the connection out for a request and putting it back after needs no lock.
pub struct Http1 {
    sender: Cell<Option<http1::SendRequest<Empty<Bytes>>>>,
}

impl Http1 {
    pub fn idle() -> Http1 {
        Http1 {
            sender: Cell::new(None),
        }
    }

    /// GET on this slot's connection, opening one first if it has none. A request that fails
    /// (or is given up on) takes its connection with it: the next opens a fresh one.
    pub async fn get(&self, target: &Target) -> Result<String, FetchError> {
        let mut sender = match self.sender.take() {
            Some(sender) if !sender.is_closed() => sender,
            _ => open_http1(target.addr).await?,
        };
        sender.ready().await.map_err(network)?;
        let request = Request::get(target.path.clone())
            .header(HOST, target.host.clone())
            .body(Empty::new())
            .map_err(network)?;
        let body = read(sender.send_request(request).await.map_err(network)?).await?;
        self.sender.set(Some(sender));
        Ok(body)
    }
}

async fn open_http1(addr: SocketAddr) -> Result<http1::SendRequest<Empty<Bytes>>, FetchError> {
    let (sender, connection) = http1::handshake(connect(addr).await?)
        .await
        .map_err(network)?;
    // The connection's reading and writing run as a task of their own on this thread; what goes
    // wrong there comes back to the request as its error, so nothing reads the task's result.
    tokio::spawn(connection);
    Ok(sender)
}

/// The run's one HTTP/2 connection. Its sender is a handle: every slot sends on a clone.
pub struct Http2 {
    sender: http2::SendRequest<Empty<Bytes>>,
}

impl Http2 {
    pub async fn connect(target: &Target) -> Result<Http2, FetchError> {
        let io = connect(target.addr).await?;
        let (sender, connection) = http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(network)?;
        // As for HTTP/1.1: a broken connection fails the requests on it, which say so.
        tokio::spawn(connection);
        Ok(Http2 { sender })
    }

    /// GET as a new stream on the connection.
    pub async fn get(&self, target: &Target) -> Result<String, FetchError> {
        let mut sender = self.sender.clone();
        sender.ready().await.map_err(network)?;
        let request = Request::get(target.absolute.clone())
            .body(Empty::new())
            .map_err(network)?;
        read(sender.send_request(request).await.map_err(network)?).await
    }
}

async fn connect(addr: SocketAddr) -> Result<TokioIo<TcpStream>, FetchError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|err| match err.kind() {
            io::ErrorKind::ConnectionRefused => FetchError::Refused,
            _ => FetchError::Network(format!("cannot connect to {addr}: {err}")),
        })?;
    // Small requests go out at once, as every HTTP client sends them.
    stream.set_nodelay(true).map_err(network)?;
    Ok(TokioIo::new(stream))
}

/// The body of a 2xx answer as text, never more than [`MAX_BODY`] bytes of it.
async fn read(response: Response<hyper::body::Incoming>) -> Result<String, FetchError> {
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let limited = Limited::new(response.into_body(), MAX_BODY as usize);
    let body = limited
        .collect()
        .await
        .map_err(|err| FetchError::Body(format!("could not read the body: {err}")))?;
    Ok(String::from_utf8_lossy(&body.to_bytes()).into_owned())
}

fn network(err: impl std::fmt::Display) -> FetchError {
    FetchError::Network(err.to_string())
}
