//! Child processes that cannot outlive the run: stdout is read line by line
//! with timeouts, stderr is kept (its tail) for error messages, and
//! dropping a [`Child`] kills the process.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};

/// How much of a child's stderr is kept.
const STDERR_TAIL: usize = 8 * 1024;

/// A running child process.
pub struct Child {
    name: String,
    process: std::process::Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Child {
    /// Starts `command` with piped stdin, stdout and stderr.
    ///
    /// # Errors
    /// When the program cannot be started.
    pub fn spawn(name: &str, mut command: Command) -> anyhow::Result<Child> {
        let mut process = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {name} ({command:?})"))?;
        let stdout = process.stdout.take().context("no stdout pipe")?;
        let stderr_pipe = process.stderr.take().context("no stderr pipe")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let tail = stderr.clone();
        std::thread::spawn(move || {
            let mut pipe = stderr_pipe;
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = tail.lock() {
                    kept.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if kept.len() > STDERR_TAIL {
                        let mut cut = kept.len() - STDERR_TAIL;
                        while !kept.is_char_boundary(cut) {
                            cut += 1;
                        }
                        kept.drain(..cut);
                    }
                }
            }
        });
        Ok(Child {
            name: name.to_string(),
            stdin: process.stdin.take(),
            process,
            lines,
            stderr,
        })
    }

    /// The tail of what the child wrote to stderr.
    pub fn stderr_tail(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn failure(&self, what: &str) -> anyhow::Error {
        let tail = self.stderr_tail();
        let tail = tail.trim();
        if tail.is_empty() {
            anyhow!("{}: {what}", self.name)
        } else {
            anyhow!("{}: {what}; its stderr ends with:\n{tail}", self.name)
        }
    }

    /// The next stdout line, waiting at most until `deadline`.
    ///
    /// # Errors
    /// When the deadline passes or the child closed its stdout.
    pub fn next_line(&self, deadline: Instant) -> anyhow::Result<String> {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(wait) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => Err(self.failure("timed out")),
            Err(RecvTimeoutError::Disconnected) => Err(self.failure("exited early")),
        }
    }

    /// Writes one line to the child's stdin.
    ///
    /// # Errors
    /// When the child's stdin is closed.
    pub fn send_line(&mut self, line: &str) -> anyhow::Result<()> {
        let stdin = self.stdin.as_mut().context("stdin is closed")?;
        writeln!(stdin, "{line}").and_then(|()| stdin.flush())?;
        Ok(())
    }

    /// Waits for the child to exit, killing it after `limit`.
    ///
    /// # Errors
    /// When it had to be killed or exited with a failure status.
    pub fn finish(mut self, limit: Duration) -> anyhow::Result<()> {
        self.stdin.take();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.process.try_wait()? {
                if status.success() {
                    return Ok(());
                }
                bail!(self.failure(&format!("exited with {status}")));
            }
            if Instant::now() >= deadline {
                bail!(self.failure("did not exit in time"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            let _ = self.process.kill();
            let _ = self.process.wait();
        }
    }
}
