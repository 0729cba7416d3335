//! Asking httpbin-lite things no slide asks, with the slides' blocking client: one answer,
//! whatever its status.

use std::net::SocketAddr;

/// One answer: its status, its head's fields (`name: value`, a line each), and its body.
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
    // An error status is an answer too; and each request has a connection of its own.
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(0);
    let agent = ureq::Agent::new_with_config(config.build());
    let url = format!("http://{addr}{path}");
    let answer = match method {
        "POST" => agent.post(&url).send_empty(),
        _ => agent.get(&url).call(),
    };
    let mut answer = answer.ok()?;
    let head = answer.headers().iter();
    let head = head.map(|(name, value)| format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
    Some(Response {
        status: answer.status().as_u16(),
        head: head.collect(),
        body: answer.body_mut().read_to_string().ok()?,
    })
}
