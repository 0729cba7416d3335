//! Reaching Redis: the `--redis` flag, a URL shown without its password, a connection that
//! outlives a dropped one, errors in one line.

use std::time::Duration;

use common::without_password;
use redis::ConnectionAddr::{Tcp, TcpTls};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, Value};

/// `--redis URL`, the same on the producer and the worker.
#[derive(Debug, Clone, clap::Args)]
pub struct RedisFlag {
    /// The Redis that holds the queue: redis://[:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS.
    // hide_env_values: `--help` would otherwise print REDIS_URL's value, password and all.
    #[arg(long = "redis", value_name = "URL", env = "REDIS_URL")]
    #[arg(default_value = "redis://127.0.0.1:6379", hide_env_values = true)]
    pub redis_url: String,
}

/// A Redis we may connect to, and its URL as we may print it: `****` for the password.
#[derive(Debug, Clone)]
pub struct Target {
    client: Client,
    pub shown: String,
}

impl RedisFlag {
    /// Checks the URL. The message never contains the password, so it may be printed.
    pub fn target(&self) -> Result<Target, String> {
        let example = "expected e.g. redis://127.0.0.1:6379 or rediss://:PASSWORD@HOST:PORT";
        // Not even a bad URL is echoed: it may hold a password in a place we cannot find.
        let url = url::Url::parse(&self.redis_url)
            .map_err(|err| format!("--redis is not a URL ({err}); {example}"))?;
        // Client::open refuses a scheme that is not Redis's (http://, say): "not a redis URL".
        let shown = without_password(url.as_str());
        let client =
            Client::open(url).map_err(|err| format!("--redis {shown}: {err}; {example}"))?;
        Ok(Target { client, shown })
    }
}

impl Target {
    /// Connects. Commands fail after `response_timeout` without an answer; see [`Redis`].
    pub async fn connect(&self, response_timeout: Duration) -> Result<Redis, String> {
        // rediss:// takes rustls's process-wide provider: the workspace's is ring, named here
        // before the first connection (the worker's HTTP client, built after this, uses it too).
        common::use_ring_for_tls();
        // A connection that fails as it is made is made once more, 0.1 s later.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(response_timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(100));
        let manager = ConnectionManager::new_with_config(self.client.clone(), config);
        manager.await.map(Redis).map_err(|err| self.explain(&err))
    }

    /// The host and port of this Redis, when it is reached over TCP.
    pub fn address(&self) -> Option<(&str, u16)> {
        match self.client.get_connection_info().addr() {
            Tcp(host, port) | TcpTls { host, port, .. } => Some((host, *port)),
            _ => None,
        }
    }

    /// One line about a Redis error, with what to do where there is something to do.
    pub fn explain(&self, err: &RedisError) -> String {
        let what = if err.is_connection_refusal() {
            "connection refused — is redis-server running? Start one with `redis-server`, or \
             pass --redis URL"
        } else if err.kind() == ErrorKind::AuthenticationFailed || err.code() == Some("WRONGPASS") {
            "Redis refused the password — check it in --redis or REDIS_URL"
        } else if err.to_string().contains("DB index is out of range") {
            "Redis has no such database — the number after the port (/0 … /15 unless its \
             `databases` setting says more) is too high"
        } else if err.code() == Some("NOAUTH") {
            "Redis wants a password — put it in the URL: redis://:PASSWORD@HOST:PORT"
        } else if err.is_timeout() && self.shown.starts_with("rediss:") {
            "no answer in time — is this a TLS port? rediss:// needs one"
        } else if err.code() == Some("NOGROUP") {
            "the queue is gone from Redis (it restarted without persistence, or was flushed); \
             made a new, empty one"
        } else if err.kind() == ErrorKind::Parse {
            // An HTTP server, say: its answer is no Redis reply.
            "what answers there is not Redis — check the port in --redis or REDIS_URL"
        } else {
            // The client's own words can run over several lines: the first says enough.
            let first = err.to_string().lines().next().map(common::quote);
            return format!("{}: {}", self.shown, first.unwrap_or_default());
        };
        format!("{}: {what}", self.shown)
    }
}

/// A connection to Redis that sends a command once more, on a new connection, when the one it
/// went on broke: a connection dropped while Redis is fine (a failover, `CLIENT KILL`) costs a
/// round trip, not a pause; a Redis that is away fails the second try too, and the loops wait.
/// A command sent twice may have run twice: at worst a job runs twice (at least once).
#[derive(Clone)]
pub struct Redis(ConnectionManager);

impl ConnectionLike for Redis {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            match self.0.req_packed_command(cmd).await {
                Err(err) if err.is_unrecoverable_error() => self.0.req_packed_command(cmd).await,
                done => done,
            }
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipe: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            match self.0.req_packed_commands(pipe, offset, count).await {
                Err(err) if err.is_unrecoverable_error() => {
                    self.0.req_packed_commands(pipe, offset, count).await
                }
                done => done,
            }
        })
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(url: &str) -> RedisFlag {
        RedisFlag {
            redis_url: url.into(),
        }
    }

    #[test]
    fn passwords_are_never_shown() {
        let target = flag("redis://:hunter2@127.0.0.1:6380/0").target().unwrap();
        assert_eq!(target.shown, "redis://:****@127.0.0.1:6380/0");
        let target = flag("rediss://user:hunter2@redis.example:6380")
            .target()
            .unwrap();
        assert_eq!(target.shown, "rediss://user:****@redis.example:6380");
    }

    #[test]
    fn bad_urls_say_why_without_the_password() {
        for bad in [
            "redis//:hunter2@host",
            "http://:hunter2@host:6379",
            "hunter2",
        ] {
            let err = flag(bad).target().unwrap_err();
            assert!(!err.contains("hunter2"), "{bad:?} gave {err:?}");
            assert!(
                err.contains("redis://127.0.0.1:6379"),
                "{bad:?} gave {err:?}"
            );
        }
    }
}
