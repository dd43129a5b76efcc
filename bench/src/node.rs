//! The official Node SDK, installed with npm into a temporary folder for
//! this run (nothing is vendored), next to our driver script.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};

/// The driver, written into the install folder so that `require` finds the
/// SDK in the `node_modules` beside it.
const DRIVER: &str = include_str!("../node/driver.js");

/// An installed `@scalekit-sdk/node`; dropping it removes the folder.
pub struct NodeSdk {
    dir: PathBuf,
    /// The version npm installed (from its package.json).
    pub version: String,
    /// `node --version`.
    pub node_version: String,
}

fn output(command: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The prefix of the install folders in the temporary directory; the
/// owning process id follows it.
const DIR_PREFIX: &str = "scalekit-bench-node-";

/// Removes install folders left by runs that were killed (a signal skips
/// the cleanup in `Drop`): those whose process no longer exists.
fn remove_stale_installs(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DIR_PREFIX))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl NodeSdk {
    /// Installs `@scalekit-sdk/node@{version}` into a new temporary folder.
    ///
    /// # Errors
    /// When node or npm is missing or the install fails.
    pub fn install(version: &str) -> anyhow::Result<NodeSdk> {
        if !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
        {
            bail!("--node-version {version:?} is not a version");
        }
        let node_version = output(Command::new("node").arg("--version"), "node --version")?;
        let temp = std::env::temp_dir();
        remove_stale_installs(&temp);
        let dir = temp.join(format!("{DIR_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut sdk = NodeSdk {
            dir,
            version: version.to_string(),
            node_version,
        };
        output(
            Command::new("npm")
                .args(["init", "-y"])
                .current_dir(&sdk.dir),
            "npm init",
        )?;
        output(
            Command::new("npm")
                .args(["install", "--silent", "--no-audit", "--no-fund"])
                .arg(format!("@scalekit-sdk/node@{version}"))
                .current_dir(&sdk.dir),
            "npm install @scalekit-sdk/node",
        )?;
        let manifest = sdk.dir.join("node_modules/@scalekit-sdk/node/package.json");
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&manifest)
                .with_context(|| format!("cannot read {}", manifest.display()))?,
        )?;
        if let Some(installed) = manifest.get("version").and_then(|v| v.as_str()) {
            sdk.version = installed.to_string();
        }
        std::fs::write(sdk.driver(), DRIVER).context("cannot write the node driver")?;
        Ok(sdk)
    }

    /// Path of the driver script.
    pub fn driver(&self) -> PathBuf {
        self.dir.join("driver.js")
    }

    /// The install folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for NodeSdk {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_of_dead_processes_are_removed() -> anyhow::Result<()> {
        let temp = std::env::temp_dir().join(format!("scalekit-bench-test-{}", std::process::id()));
        // u32::MAX is above any Linux pid limit, so no process has it.
        let dead = temp.join(format!("{DIR_PREFIX}{}", u32::MAX));
        let alive = temp.join(format!("{DIR_PREFIX}{}", std::process::id()));
        let other = temp.join("unrelated-folder");
        for dir in [&dead, &alive, &other] {
            std::fs::create_dir_all(dir)?;
        }
        remove_stale_installs(&temp);
        let (dead_gone, alive_kept, other_kept) = (!dead.exists(), alive.exists(), other.exists());
        std::fs::remove_dir_all(&temp)?;
        assert!(dead_gone && alive_kept && other_kept);
        Ok(())
    }
}
