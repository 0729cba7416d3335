//! A fresh clone's quick start (`--first-in-debug`): lab, httpbin-lite and the first slide are
//! the debug build, much the quicker to compile, and the rest of the talk is the
//! release build, which cargo builds while the first slide runs. The first slide of the release
//! build runs against the release build's httpbin-lite.

use lab::{Binaries, Httpbin};

use super::build::Waited;
use super::turn::Talk;
use crate::shown::NAME;
use crate::written::Written;
use common::Signal;

/// The release build's httpbin-lite, in place of a quick start's, once cargo has built it;
/// `None` when it cannot be (the debug one serves on), `Err` when a signal stopped the wait.
pub fn release_server(talk: &mut Talk, delay: &Written) -> Result<Option<Httpbin>, Signal> {
    let built = talk
        .build
        .map(|build| build.wait_for(&["httpbin-lite"], talk.signals));
    if let Some(Waited::Stopped(signal)) = built {
        return Err(signal);
    }
    if let Some(Waited::NotBuilt(why)) = built {
        eprintln!("{NAME}: {why}; the debug one serves on");
        return Ok(None);
    }
    say!("==> the release build's httpbin-lite takes over");
    match serve(talk.bins, delay, talk) {
        Ok(server) => Ok(Some(server)),
        Err(err) => {
            eprintln!("{NAME}: {err}; the debug one serves on");
            Ok(None)
        }
    }
}

/// Starts httpbin-lite from `bins` and says where; the slides of `talk` fetch from it now.
pub fn serve(bins: &Binaries, delay: &Written, talk: &mut Talk) -> Result<Httpbin, String> {
    let server = Httpbin::start(bins, delay.duration, &[])
        .map_err(|err| format!("httpbin-lite did not start: {err}"))?;
    say!(
        "==> httpbin-lite at {}, answering /uuid after {}",
        server.base(),
        delay.text
    );
    talk.url = server.url("/uuid");
    Ok(server)
}
