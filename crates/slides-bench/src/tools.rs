//! The load generators written in C that the clients are measured against: wrk, HTTP/1.1 for a
//! given time, and h2load, HTTP/2 (or HTTP/1.1 with `--h1`) for a given count. Each runs on one
//! thread against the scenario's own httpbin-lite, in the same rounds as the slides, measured
//! from outside as they are.

use std::process::Command;
use std::time::Duration;

use lab::Httpbin;

use crate::bench::Bench;
use crate::h2load;
use crate::outcome::ServerCount;
use crate::running::Measured;
use crate::system;
use crate::wrk::{self, Printed};

/// Which tool, and how it is told to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `wrk -t1 -cC -dSs`: C connections for S seconds.
    Wrk { seconds: u64 },
    /// `h2load -n N`: over HTTP/2 one connection with C streams (`-c1 -mC`), over HTTP/1.1 C
    /// connections with one request each at a time (`--h1 -cC -m1`).
    H2load { requests: usize, http2: bool },
}

/// A tool with `width` requests in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolCase {
    pub tool: Tool,
    pub width: usize,
}

impl ToolCase {
    pub fn wrk(width: usize, seconds: u64) -> ToolCase {
        ToolCase {
            tool: Tool::Wrk { seconds },
            width,
        }
    }

    pub fn h2load(requests: usize, width: usize, http2: bool) -> ToolCase {
        ToolCase {
            tool: Tool::H2load { requests, http2 },
            width: width.min(requests),
        }
    }

    pub fn program(&self) -> &'static str {
        match self.tool {
            Tool::Wrk { .. } => "wrk",
            Tool::H2load { .. } => "h2load",
        }
    }

    /// The row's name: "wrk", "h2load h2", "h2load h1".
    pub fn label(&self) -> String {
        match self.tool {
            Tool::Wrk { .. } => "wrk".into(),
            Tool::H2load { http2: true, .. } => "h2load h2".into(),
            Tool::H2load { http2: false, .. } => "h2load h1".into(),
        }
    }

    pub fn protocol(&self) -> &'static str {
        match self.tool {
            Tool::H2load { http2: true, .. } => "HTTP/2",
            _ => "HTTP/1.1",
        }
    }

    /// The requests it is asked for; wrk is asked for a time instead.
    pub fn requests(&self) -> Option<usize> {
        match self.tool {
            Tool::Wrk { .. } => None,
            Tool::H2load { requests, .. } => Some(requests),
        }
    }

    pub fn args(&self, url: &str) -> Vec<String> {
        let width = self.width;
        match self.tool {
            Tool::Wrk { seconds } => {
                vec![
                    "-t1".into(),
                    format!("-c{width}"),
                    format!("-d{seconds}s"),
                    url.into(),
                ]
            }
            Tool::H2load { requests, http2 } => {
                let mut args = vec!["-t1".into(), format!("-n{requests}")];
                if http2 {
                    args.extend(["-c1".into(), format!("-m{width}")]);
                } else {
                    args.extend(["--h1".into(), format!("-c{width}"), "-m1".into()]);
                }
                args.push(url.into());
                args
            }
        }
    }

    /// Its command line as the report shows it.
    pub fn command(&self) -> String {
        format!("{} {}", self.program(), self.args("$URL").join(" "))
    }

    pub fn installed(&self) -> bool {
        Command::new(self.program())
            .arg("--version")
            .output()
            .is_ok()
    }

    /// Far past any sane run.
    fn limit(&self) -> Duration {
        match self.tool {
            Tool::Wrk { seconds } => Duration::from_secs(seconds + 60),
            Tool::H2load { .. } => Duration::from_secs(120),
        }
    }
}

/// One run of a tool.
#[derive(Debug, Clone)]
pub struct ToolRun {
    pub measured: Measured,
    pub printed: Printed,
    /// CPU time httpbin-lite spent during the run.
    pub server_cpu_s: f64,
    pub server: ServerCount,
}

/// A tool and all its runs.
#[derive(Debug, Clone)]
pub struct ToolOutcome {
    pub case: ToolCase,
    pub runs: Vec<ToolRun>,
}

/// Runs `case` once against `server`, as run `number`, and prints what it did.
pub fn run_once(
    bench: &Bench,
    scenario: &str,
    case: &ToolCase,
    server: &Httpbin,
    number: usize,
    runs: usize,
) -> Result<ToolRun, String> {
    let label = format!("{scenario}-{}-{number}", case.label().replace(' ', "-"));
    let before = system::cpu_time(server.pid()).unwrap_or_default();
    let stats_reset = server.reset_stats().is_ok();
    let measured = bench.run_tool(
        &label,
        case.program(),
        &case.args(&server.url("/uuid")),
        case.limit(),
    )?;
    let after = system::cpu_time(server.pid()).unwrap_or_default();
    let server_count = if stats_reset {
        ServerCount::read(server)
    } else {
        ServerCount::default()
    };
    let text = std::fs::read_to_string(&measured.stdout).unwrap_or_default();
    let printed = match case.tool {
        Tool::Wrk { .. } => wrk::parse(&text),
        Tool::H2load { .. } => h2load::parse(&text),
    };
    let printed = printed.ok_or_else(|| {
        format!(
            "{} printed no rate (see {}): {}",
            case.program(),
            measured.stdout.display(),
            measured.last_error.clone().unwrap_or_default()
        )
    })?;
    println!(
        "    {:<34} run {number}/{runs}: {:>8.3} s, {:>8.0} requests/s, {:>6.2} s CPU",
        case.label(),
        measured.usage.wall_s,
        printed.per_second,
        measured.usage.cpu_s()
    );
    // Let the server close the last connections before the next run starts.
    std::thread::sleep(Duration::from_millis(200));
    Ok(ToolRun {
        measured,
        printed,
        server_cpu_s: after.saturating_sub(before).as_secs_f64(),
        server: server_count,
    })
}
