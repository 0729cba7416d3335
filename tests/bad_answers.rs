//! Servers that answer wrong, or not at all, for every slide: each request fails with its cause
//! in ONE line on stderr, naming what to do where there is something, exit code 1, and never a
//! panic. And Redis that refuses the queue's programs. The slides are the talk's own list,
//! `lab::talk::SLIDES`; the queue's producer runs with a redis-server and a worker of its own.

mod support;

use lab::talk::SLIDES;
use support::redis::RedisServer;
use support::{
    SelfSignedTls, Server, Stage, assert_one_line, canned, closed_port, closed_port_url,
};
use support::{command, run, stdout};
use support::{huge_body_url, huge_head_url};

#[test]
fn each_request_fails_with_its_cause_in_one_line() {
    let server = Server::start("0");
    let closed = closed_port_url();
    let (empty, no_uuid) = (server.url("/status/200"), server.url("/get"));
    let not_json = canned("<html>502 Bad Gateway</html>");
    let not_a_uuid = canned(r#"{"uuid": "not-a-uuid"}"#);
    // 100 KB: every client stops reading at 64 KiB.
    let huge = huge_body_url(100_000);
    // A 1 MB header: every client gives up on the head, and says so (not "connection closed").
    let huge_head = huge_head_url(1_000_000);
    let (error_status, slow) = (server.url("/status/503"), server.url("/delay/2"));

    // (URL, more arguments, words stderr must contain, served by httpbin-lite or no one)
    let missing = server.url("/nowhere");
    let cases: [(&str, &[&str], &[&str], bool); 10] = [
        (
            &closed,
            &[],
            &[&closed, "refused", "httpbin-lite", "--url"],
            true,
        ),
        (&empty, &[], &["empty body"], true),
        (&not_json, &[], &["not JSON"], false),
        (&no_uuid, &[], &[r#"no "uuid""#], true),
        (&not_a_uuid, &[], &["not a UUID"], false),
        (&huge, &[], &["larger than"], false),
        (&huge_head, &[], &["large"], false),
        (&error_status, &[], &["503"], true),
        (&missing, &[], &["404", "check the URL's path"], true),
        (
            &slow,
            &["--timeout", "200ms"],
            &["timed out", "200ms"],
            true,
        ),
    ];
    // The slides one beside another, each on a thread of the test's: they share nothing.
    std::thread::scope(|scope| {
        for slide in SLIDES {
            scope.spawn(move || {
                let stage = Stage::new(slide);
                // Two requests each: both fail, and the line says so once.
                for (url, more, words, httpbin) in cases {
                    let mut args = vec!["--url", url, "-n", "2"];
                    args.extend(more);
                    let output = stage.run(&args);
                    // The servers made here speak HTTP/1.1 only; slide 7c speaks HTTP/2 from the
                    // first byte, so to them it gets an error of the protocol, in one line all
                    // the same.
                    let words = if slide.model == "http2" && !httpbin {
                        &[][..]
                    } else {
                        words
                    };
                    assert_one_line(&format!("{} {args:?}", slide.binary), &output, 1, words);
                }
            });
        }
    });
    // A 100 KB URL is a valid URL, but no message quotes all of it.
    let long = format!("{}?{}", closed, "a".repeat(100_000));
    for slide in SLIDES {
        let output = Stage::new(slide).run(&["--url", &long, "-n", "2", "--json"]);
        // The queue's producer refuses it up front (a job that big no worker takes): usage, 2.
        let code = if slide.queue { 2 } else { 1 };
        assert_one_line(slide.binary, &output, code, &[&long.len().to_string()]);
        let (err, out) = (support::stderr(&output), stdout(&output));
        assert!(
            err.len() < 2_000,
            "{}: {} bytes on stderr",
            slide.binary,
            err.len()
        );
        assert!(
            out.len() < 4_000,
            "{}: {} bytes on stdout",
            slide.binary,
            out.len()
        );
    }
    // A host that does not resolve is not tested: finding that out means asking the machine's
    // resolver, which is not on loopback, and these tests send nothing beyond 127.0.0.1.
}

#[test]
fn a_certificate_no_one_trusts_is_named_in_one_line() {
    let tls = SelfSignedTls::start();
    // The slides one beside another, each on a thread of the test's: they share nothing.
    std::thread::scope(|scope| {
        for slide in SLIDES {
            let url = &tls.url;
            scope.spawn(move || {
                let output = Stage::new(slide).run(&["--url", url, "-n", "2"]);
                let who = format!("{} {url}", slide.binary);
                if slide.number == "7a" {
                    // HTTP by hand has no TLS: it says so before it starts, as bad usage.
                    assert_one_line(&who, &output, 2, &["no TLS"]);
                } else {
                    let words = ["certificate", "not a trusted one"];
                    assert_one_line(&who, &output, 1, &words);
                }
            });
        }
    });
}

#[test]
fn redis_trouble_gets_one_clear_line_and_a_non_zero_exit() {
    let plain = RedisServer::start(&[]);
    let locked = RedisServer::start(&["--requirepass", "open-sesame"]);
    let closed = format!("redis://127.0.0.1:{}", closed_port());
    let wrong = format!("redis://:hunter2@127.0.0.1:{}", locked.port);
    let none = locked.url();
    let tls = plain.url().replace("redis://", "rediss://");
    let (missing, not_a_number) = (
        format!("{}/99", plain.url()),
        format!("{}/abc", plain.url()),
    );
    // An HTTP server where Redis should be: its answer is no Redis reply.
    let http = Server::start("0");
    let not_redis = http.url("/").replace("http://", "redis://");
    let not_redis = not_redis.trim_end_matches('/');

    // (--redis, exit code, words stderr must contain)
    let cases: [(&str, i32, &[&str]); 9] = [
        (&closed, 1, &["connection refused", "redis-server", &closed]),
        (
            &wrong,
            1,
            &["refused the password", "redis://:****@127.0.0.1"],
        ),
        (&none, 1, &["wants a password", "redis://:PASSWORD@"]),
        (&tls, 1, &["TLS"]),
        (&missing, 1, &["no such database", &missing]),
        (not_redis, 1, &["not Redis", "check the port"]),
        (&not_a_number, 2, &["--redis", "Invalid database number"]),
        ("redis//:hunter2@nowhere", 2, &["--redis", "not a URL"]),
        ("http://:hunter2@127.0.0.1:1", 2, &["http://", "redis://"]),
    ];
    // Every case on a thread of the test's: a TLS hello to a plain Redis waits out the
    // connection's timeout, twice, and the others need not wait with it.
    std::thread::scope(|scope| {
        for binary in ["slide08-producer", "slide08-worker"] {
            for (url, code, words) in cases {
                scope.spawn(move || {
                    let output = run(binary, &["--redis", url]);
                    assert_one_line(&format!("{binary} {url}"), &output, code, words);
                    // A password never shows.
                    let said = format!("{}{}", stdout(&output), support::stderr(&output));
                    assert!(!said.contains("hunter2"), "{binary}: {said}");
                });
            }
        }
    });

    // --help names REDIS_URL but never prints its value.
    let help = command("slide08-worker", &["--help"])
        .env("REDIS_URL", "redis://:hunter2@127.0.0.1:1")
        .output()
        .expect("binary starts");
    assert!(stdout(&help).contains("REDIS_URL") && !stdout(&help).contains("hunter2"));
}
