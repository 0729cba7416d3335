//! httpbin-lite answers like httpbin.org, and counts what it serves. (Its flags are checked
//! with every other binary's in `bad_flags.rs`.)

mod support;

use std::collections::HashSet;
use std::thread;

use support::{Server, get, request, try_get};

#[test]
fn uuid_body_is_byte_for_byte_httpbins() {
    let server = Server::start("0");
    let response = get(server.addr, "/uuid");
    assert_eq!(response.status, 200);
    assert!(
        response
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{}",
        response.head
    );
    // {\n  "uuid": "<36 chars>"\n}\n — 53 bytes, like httpbin.org.
    let body = response.body;
    assert_eq!(body.len(), 53, "{body:?}");
    let uuid = body
        .strip_prefix("{\n  \"uuid\": \"")
        .and_then(|rest| rest.strip_suffix("\"\n}\n"))
        .unwrap_or_else(|| panic!("not httpbin's layout: {body:?}"));
    let parsed = uuid::Uuid::parse_str(uuid).expect("a UUID");
    assert_eq!(parsed.get_version_num(), 4);
}

#[test]
fn stats_count_served_requests_and_reset() {
    let server = Server::start("0");
    for path in ["/uuid", "/uuid", "/get", "/status/204", "/delay/0"] {
        get(server.addr, path);
    }
    let stats = server.stats();
    assert_eq!(stats["served"], 5, "{stats}");
    assert_eq!(stats["in_flight"], 0, "{stats}");
    assert_eq!(stats["peak_in_flight"], 1, "{stats}");

    let reset = request(server.addr, "POST", "/stats/reset");
    assert_eq!(reset.status, 200);
    let stats = server.stats();
    assert_eq!(
        (stats["served"].as_u64(), stats["peak_in_flight"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn a_thousand_requests_at_once_are_all_in_flight_together() {
    // Long enough that all 1,000 connect before the first answer comes back.
    let server = Server::start("3s");
    let uuids: HashSet<String> = thread::scope(|scope| {
        let handles: Vec<_> = (0..1000)
            .map(|_| scope.spawn(|| get(server.addr, "/uuid").body))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    });
    assert_eq!(uuids.len(), 1000);
    assert!(uuids.iter().all(|body| httpbin_like_uuid(body)));
    let stats = server.stats();
    assert_eq!(stats["peak_in_flight"], 1000, "{stats}");
    assert_eq!(stats["served"], 1000, "{stats}");
}

fn httpbin_like_uuid(body: &str) -> bool {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    value["uuid"]
        .as_str()
        .is_some_and(|u| uuid::Uuid::parse_str(u).is_ok())
}

#[test]
fn other_endpoints_answer_like_httpbin() {
    let server = Server::start("0");

    let status = get(server.addr, "/status/503");
    assert_eq!((status.status, status.body.as_str()), (503, ""));

    let echo = get(server.addr, "/get?a=1&b=2&b=3");
    assert_eq!(echo.status, 200);
    let echo: serde_json::Value = serde_json::from_str(&echo.body).unwrap();
    assert_eq!(echo["args"], serde_json::json!({"a": "1", "b": ["2", "3"]}));
    assert_eq!(echo["origin"], "127.0.0.1");
    assert_eq!(echo["url"], server.url("/get?a=1&b=2&b=3"));
    assert_eq!(echo["headers"]["Host"], server.addr.to_string());

    let delayed = get(server.addr, "/delay/0.05");
    assert_eq!(delayed.status, 200);
    let delayed: serde_json::Value = serde_json::from_str(&delayed.body).unwrap();
    assert_eq!(delayed["url"], server.url("/delay/0.05"));
    assert_eq!(delayed["data"], "");
}

#[test]
fn unknown_paths_are_404_and_bad_parameters_400() {
    let server = Server::start("0");
    assert_eq!(get(server.addr, "/nope").status, 404);
    for path in [
        "/delay/abc",
        "/delay/-1",
        "/status/abc",
        "/status/42",
        "/status/1000",
    ] {
        let response = get(server.addr, path);
        assert_eq!(response.status, 400, "{path}");
        assert!(!response.body.is_empty(), "{path}: a 400 says why");
    }
    // Asking for the stats is not traffic: none of the above was an endpoint that counts but
    // the rejected /delay and /status requests.
    assert_eq!(server.served(), 5);
}

#[test]
fn injected_faults_are_counted_and_repeat_with_the_same_seed() {
    let faults = [
        "--fail-rate",
        "0.2",
        "--drop-rate",
        "0.1",
        "--garbage-rate",
        "0.1",
        "--seed",
        "1",
    ];
    let injected: Vec<serde_json::Value> = (0..2)
        .map(|_| {
            let server = Server::start_with("0", &faults);
            let mut seen = (0, 0, 0);
            for _ in 0..100 {
                match try_get(server.addr, "/uuid") {
                    None => seen.1 += 1,
                    Some(r) if r.status >= 500 => seen.0 += 1,
                    Some(r) if !httpbin_like_uuid(&r.body) => seen.2 += 1,
                    Some(_) => {}
                }
            }
            let injected = server.stats()["injected"].clone();
            // What the client saw is what the server says it injected.
            assert_eq!(injected["failed"], seen.0, "{injected}");
            assert_eq!(injected["dropped"], seen.1, "{injected}");
            assert_eq!(injected["garbage"], seen.2, "{injected}");
            injected
        })
        .collect();
    assert_eq!(injected[0], injected[1], "same seed, same faults");
    assert!(
        injected[0]["failed"].as_u64().is_some_and(|n| n > 0),
        "{}",
        injected[0]
    );
}
