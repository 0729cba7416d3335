//! The endpoints, answering as httpbin.org does: pretty JSON with a 2-space indent and a
//! trailing newline.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::faults::{Fault, Faults};
use crate::stats::{self, Stats};

/// httpbin.org caps `/delay/{n}` at 10 seconds; so do we.
const MAX_DELAY_SECS: f64 = 10.0;

#[derive(Clone)]
struct AppState {
    uuid_delay: Duration,
    faults: Arc<Faults>,
    stats: Arc<Stats>,
}

pub fn app(uuid_delay: Duration, faults: Faults) -> Router {
    let state = AppState {
        uuid_delay,
        faults: Arc::new(faults),
        stats: Arc::default(),
    };
    // Only these count in /stats: asking for the stats is not traffic.
    let counted = Router::new()
        .route("/uuid", get(uuid))
        .route("/delay/{seconds}", get(delay))
        .route("/status/{code}", get(status))
        .route("/get", get(echo))
        .route_layer(middleware::from_fn_with_state(
            state.stats.clone(),
            stats::count,
        ));
    Router::new()
        .merge(counted)
        .route("/stats", get(stats_now))
        .route("/stats/reset", post(stats_reset))
        .fallback(not_found)
        .with_state(state)
}

/// `GET /uuid`: a fresh v4 UUID, after the configured delay — unless a fault was drawn.
async fn uuid(State(state): State<AppState>) -> Response {
    let (fault, jitter) = state.faults.draw();
    let wait = state.uuid_delay + jitter;
    // tokio's timer ticks once a millisecond, and even a zero sleep waits for the next tick:
    // with --delay 0 that alone held every answer back ~1 ms (measured: a sequential client
    // got 640 answers/s instead of ~10 000). No delay asked for, so no sleep.
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let json = [(header::CONTENT_TYPE, "application/json")];
    match fault {
        // Byte for byte what httpbin.org sends: `{\n  "uuid": "…"\n}\n`.
        None => (
            json,
            format!("{{\n  \"uuid\": \"{}\"\n}}\n", Uuid::new_v4()),
        )
            .into_response(),
        Some(Fault::Fail(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, format!("injected failure: {status}\n")).into_response()
        }
        Some(Fault::Garbage) => (
            json,
            "{\"uuid\": \"not-a-uuid\", \"injected\": \"garbage\"}\n",
        )
            .into_response(),
        Some(Fault::Drop) => drop_connection(),
    }
}

/// An answer whose body fails before its first byte: hyper then closes the connection
/// without sending anything, which is what a crashed or overloaded server looks like.
fn drop_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, _>(std::io::Error::other("connection dropped on purpose"))
    });
    Response::new(Body::from_stream(failing))
}

/// `GET /delay/{n}`: waits n seconds (fractions allowed, at most 10), then echoes like `/get`.
async fn delay(
    Path(seconds): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(args): Query<Vec<(String, String)>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let wait = match seconds.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => secs.min(MAX_DELAY_SECS),
        _ => {
            return bad_request(&format!(
                "delay must be a number of seconds, got '{seconds}'"
            ));
        }
    };
    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    let mut body = echo_body(peer, &args, &uri, &headers);
    for (key, empty) in [
        ("data", json!("")),
        ("files", json!({})),
        ("form", json!({})),
    ] {
        body.insert(key.into(), empty);
    }
    pretty(StatusCode::OK, &Value::Object(body))
}

/// `GET /status/{code}`: an empty answer with that status.
async fn status(Path(code): Path<String>) -> Response {
    // 1xx codes are not final answers in HTTP/1.1, so they cannot be sent this way.
    match code
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
    {
        Some(status) if (200..=599).contains(&status.as_u16()) => status.into_response(),
        _ => bad_request(&format!(
            "status must be a code from 200 to 599, got '{code}'"
        )),
    }
}

/// `GET /get`: what the request looked like — its query, headers, origin and URL.
async fn echo(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(args): Query<Vec<(String, String)>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    pretty(
        StatusCode::OK,
        &Value::Object(echo_body(peer, &args, &uri, &headers)),
    )
}

async fn stats_now(State(state): State<AppState>) -> Response {
    pretty(StatusCode::OK, &stats_body(&state))
}

async fn stats_reset(State(state): State<AppState>) -> Response {
    state.stats.reset();
    state.faults.reset();
    pretty(StatusCode::OK, &stats_body(&state))
}

/// The counts, and under `injected` the faults handed out on purpose.
fn stats_body(state: &AppState) -> Value {
    let mut body = state.stats.snapshot();
    body["injected"] = state.faults.snapshot();
    body
}

async fn not_found(uri: Uri) -> Response {
    let message = format!(
        "no endpoint {}; try /uuid, /delay/{{n}}, /status/{{code}}, /get or /stats\n",
        uri.path()
    );
    (StatusCode::NOT_FOUND, message).into_response()
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response()
}

/// httpbin's echo: `args` (a list where a key repeats), `headers` (in Title-Case), `origin`, `url`.
fn echo_body(
    peer: SocketAddr,
    args: &[(String, String)],
    uri: &Uri,
    headers: &HeaderMap,
) -> Map<String, Value> {
    let mut query = Map::new();
    for (key, value) in args {
        match query.get_mut(key) {
            Some(Value::Array(values)) => values.push(value.as_str().into()),
            Some(first) => *first = json!([first.take(), value]),
            None => {
                query.insert(key.clone(), value.as_str().into());
            }
        }
    }
    let mut shown = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        shown.insert(title_case(name.as_str()), value.into());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut body = Map::new();
    body.insert("args".into(), Value::Object(query));
    body.insert("headers".into(), Value::Object(shown));
    body.insert("origin".into(), peer.ip().to_string().into());
    body.insert("url".into(), format!("http://{host}{path}").into());
    body
}

/// `user-agent` → `User-Agent`, as httpbin shows header names.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn pretty(status: StatusCode, value: &Value) -> Response {
    // Serialising a `Value` cannot fail: every key is already a string.
    let body = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_in_title_case() {
        assert_eq!(title_case("user-agent"), "User-Agent");
        assert_eq!(title_case("host"), "Host");
        assert_eq!(title_case("x-a--b"), "X-A--B");
    }
}
