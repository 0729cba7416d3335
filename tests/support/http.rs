//! A tiny HTTP/1.1 client over a plain `TcpStream`, for asking httpbin-lite things no slide
//! asks: one exchange, read to the end (the request asks the server to close).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// One answer: its status, its head as sent, and its body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path)
}

pub fn request(addr: SocketAddr, method: &str, path: &str) -> Response {
    try_request(addr, method, path).expect("an answer before the connection closed")
}

/// `GET`, where the server may close the connection without answering (`None`).
pub fn try_get(addr: SocketAddr, path: &str) -> Option<Response> {
    try_request(addr, "GET", path)
}

fn try_request(addr: SocketAddr, method: &str, path: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).expect("connect to httpbin-lite");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = String::new();
    // A reset instead of a clean close also means "no answer".
    if stream.read_to_string(&mut raw).is_err() || raw.is_empty() {
        return None;
    }
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    Some(Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}
