//! The processes of a run: the server, started once per server mode and
//! stopped at the end, and the core pinning that keeps the server and the
//! clients off each other's CPU.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::cell::ServerMode;
use crate::child::Child;
use crate::serve::{Hello, ServerStats};

/// Which core a process is pinned to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Role {
    Server,
    Client,
}

/// Pins the server to CPU 0 and each client to CPU 1 with `taskset`, when
/// there are two cores and taskset exists.
pub(crate) struct Pinning {
    taskset: bool,
}

impl Pinning {
    pub(crate) fn detect(wanted: bool, cpus: usize) -> Pinning {
        let taskset = wanted
            && cpus >= 2
            && Command::new("taskset")
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        Pinning { taskset }
    }

    pub(crate) fn describe(&self, wanted: bool) -> String {
        if self.taskset {
            "server on CPU 0, each client on CPU 1 (`taskset -c`); the orchestrator, idle while \
             a cell runs, is not pinned"
                .into()
        } else if wanted {
            "none (taskset missing or fewer than 2 CPUs)".into()
        } else {
            "none (--no-pin)".into()
        }
    }

    pub(crate) fn command(&self, role: Role, program: impl AsRef<OsStr>) -> Command {
        if self.taskset {
            let core = match role {
                Role::Server => "0",
                Role::Client => "1",
            };
            let mut command = Command::new("taskset");
            command.args(["-c", core]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

/// A running server process and what it said when it started.
pub(crate) struct Server {
    pub(crate) mode: ServerMode,
    child: Child,
    pub(crate) hello: Hello,
}

impl Server {
    pub(crate) fn start(exe: &Path, mode: ServerMode, pin: &Pinning) -> anyhow::Result<Server> {
        let mut command = pin.command(Role::Server, exe);
        command.arg("serve");
        if mode == ServerMode::Canned {
            command.arg("--canned");
        }
        let child = Child::spawn(&format!("the {} server", mode.name()), command)?;
        let line = child.next_line(Instant::now() + Duration::from_secs(60))?;
        let hello: Hello = serde_json::from_str(&line)
            .with_context(|| format!("the server's first line is not its address: {line}"))?;
        Ok(Server { mode, child, hello })
    }

    pub(crate) fn stats(&mut self) -> anyhow::Result<ServerStats> {
        self.child.send_line("stats")?;
        let line = self
            .child
            .next_line(Instant::now() + Duration::from_secs(10))?;
        serde_json::from_str(&line).with_context(|| format!("not a stats line: {line}"))
    }

    pub(crate) fn stop(mut self) -> anyhow::Result<()> {
        self.child.send_line("quit")?;
        self.child.finish(Duration::from_secs(10))
    }
}
