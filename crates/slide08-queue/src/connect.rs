//! Reaching Redis: the `--redis` flag, a URL shown without its password, errors in one line.

use std::time::Duration;

use common::without_password;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, AsyncConnectionConfig, Client, ErrorKind, RedisError};

use crate::keys::{GROUP, JOBS};

pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// How long connecting (and the first PING) may take before we call Redis unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// `--redis URL`, the same on the producer and the worker.
#[derive(Debug, Clone, clap::Args)]
pub struct RedisFlag {
    /// The Redis that holds the queue: redis://[:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS.
    // hide_env_values: `--help` would otherwise print REDIS_URL's value, password and all.
    #[arg(
        long = "redis",
        value_name = "URL",
        env = "REDIS_URL",
        default_value = DEFAULT_URL,
        hide_env_values = true
    )]
    pub redis_url: String,
}

/// A Redis we may connect to: the client, and its URL as we may print it.
#[derive(Debug, Clone)]
pub struct Target {
    client: Client,
    /// The URL with `****` for its password.
    pub shown: String,
    tls: bool,
}

impl RedisFlag {
    /// Checks the URL. The message never contains the password, so it may be printed.
    pub fn target(&self) -> Result<Target, String> {
        let example = "expected e.g. redis://127.0.0.1:6379 or rediss://:PASSWORD@HOST:PORT";
        // Not even a bad URL is echoed: it may hold a password in a place we cannot find.
        let url = url::Url::parse(&self.redis_url)
            .map_err(|err| format!("--redis is not a URL ({err}); {example}"))?;
        let (shown, scheme) = (without_password(url.as_str()), url.scheme());
        if !matches!(scheme, "redis" | "rediss" | "redis+unix" | "unix") {
            return Err(format!("--redis {shown} uses {scheme}://; {example}"));
        }
        let client = Client::open(url.as_str())
            .map_err(|err| format!("--redis {shown}: {err}; {example}"))?;
        let tls = scheme == "rediss";
        Ok(Target { client, shown, tls })
    }
}

impl Target {
    /// Connects, and checks with a PING that Redis answers and takes our password.
    ///
    /// Commands fail after `response_timeout` without an answer (`None`: never). If Redis goes
    /// away later, the connection reconnects by itself, with backoff: the command that saw the
    /// loss fails, and a later one finds a new connection.
    pub async fn connect(
        &self,
        response_timeout: Option<Duration>,
    ) -> Result<ConnectionManager, String> {
        if self.tls {
            // Cargo builds rustls once for the workspace, with ureq's `ring` provider and
            // reqwest's `aws-lc-rs`. Redis takes the process-wide default, which rustls cannot
            // pick between two (it would panic), so we pick one. An error: one is installed.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let explain = |err: RedisError| self.explain(&err);
        // A plain connection first, to fail at once with one clear line: the manager below
        // retries failed connections (its job, later on), which would only delay the message.
        let probe = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT));
        let client = &self.client;
        let probe = client.get_multiplexed_async_connection_with_config(&probe);
        let mut probe = probe.await.map_err(explain)?;
        let _: String = probe.ping().await.map_err(explain)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(response_timeout)
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_secs(1));
        let manager = ConnectionManager::new_with_config(self.client.clone(), config);
        manager.await.map_err(explain)
    }

    /// One line about a Redis error, with what to do where there is something to do.
    pub fn explain(&self, err: &RedisError) -> String {
        let at = &self.shown;
        if err.is_connection_refusal() {
            format!(
                "{at}: connection refused — is redis-server running? Start one with \
                 `redis-server`, or pass --redis URL"
            )
        } else if err.kind() == ErrorKind::AuthenticationFailed || err.code() == Some("WRONGPASS") {
            format!("{at}: Redis refused the password — check it in --redis or REDIS_URL")
        } else if err.to_string().contains("DB index is out of range") {
            format!(
                "{at}: Redis has no such database — the number after the port (/0 … /15 unless \
                 its `databases` setting says more) is too high"
            )
        } else if err.code() == Some("NOAUTH") {
            format!("{at}: Redis wants a password — put it in the URL: redis://:PASSWORD@HOST:PORT")
        } else if err.is_timeout() && self.tls {
            format!("{at}: no answer in time — is this a TLS port? rediss:// needs one")
        } else {
            format!("{at}: {err}")
        }
    }
}

/// Makes sure the job stream and the workers' group exist. Both sides call it before they
/// start, so either may come first. The group starts at id 0, so it also gets the jobs added
/// before it existed; `BUSYGROUP` means it exists already.
pub async fn create_group(redis: &mut ConnectionManager) -> Result<(), RedisError> {
    match redis.xgroup_create_mkstream(JOBS, GROUP, "0").await {
        Err(err) if err.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
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
        assert_eq!(flag(DEFAULT_URL).target().unwrap().shown, DEFAULT_URL);
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
