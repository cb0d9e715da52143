//! Network namespaces for tests that need several "hosts": created with `ip netns`,
//! joined by veth pairs, and removed (with every process started in them) on drop.
//! Traffic stays inside the namespaces: the addresses are assigned only there.

use std::process::{Child, Command, Output, Stdio};

/// Whether the effective user is root, from `/proc/self/status`.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let uids = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
            uids.split_whitespace().nth(1).map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

/// Whether network namespaces can be made here: root, `ip` (iproute2), and a
/// namespace that `ip netns add` creates (a container may refuse it). The error says
/// what is missing.
pub fn available() -> Result<(), String> {
    if !is_root() {
        return Err("network namespaces need root".to_owned());
    }
    match Command::new("ip").arg("-V").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            return Err(format!(
                "`ip -V` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
        Err(e) => return Err(format!("no `ip` command (iproute2): {e}")),
    }
    Namespaces::new(&["probe"])
        .map(drop)
        .map_err(|why| format!("cannot create a network namespace: {why}"))
}

/// Runs `ip args`; the error names the command and quotes `ip`.
fn ip(args: &[&str]) -> Result<Output, String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        return Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out)
}

/// A set of namespaces named `iopool-{tag}-{pid}`, deleted on drop, after the
/// processes started in them are killed.
#[derive(Debug)]
pub struct Namespaces {
    names: Vec<String>,
    children: Vec<Child>,
}

impl Namespaces {
    /// Creates one namespace per tag, each with its loopback up.
    pub fn new(tags: &[&str]) -> Result<Namespaces, String> {
        let mut set = Namespaces {
            names: Vec::new(),
            children: Vec::new(),
        };
        for tag in tags {
            let name = format!("iopool-{tag}-{}", std::process::id());
            ip(&["netns", "add", &name])?;
            set.names.push(name.clone());
            ip(&["-n", &name, "link", "set", "lo", "up"])?;
        }
        Ok(set)
    }

    /// The namespace of tag number `i`.
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    /// Joins namespaces `a` and `b` with a veth pair (created inside them, never in
    /// the test's own namespace), and gives the ends the addresses `addr_a` and
    /// `addr_b` (with prefix length, e.g. `10.213.7.1/30`).
    pub fn link(&self, a: usize, addr_a: &str, b: usize, addr_b: &str) -> Result<(), String> {
        let (na, nb) = (self.name(a), self.name(b));
        let end_a = format!("v{a}{b}-{}", std::process::id());
        let end_b = format!("v{b}{a}-{}", std::process::id());
        ip(&[
            "-n", na, "link", "add", &end_a, "type", "veth", "peer", "name", &end_b, "netns", nb,
        ])?;
        for (ns, end, addr) in [(na, &end_a, addr_a), (nb, &end_b, addr_b)] {
            ip(&["-n", ns, "addr", "add", addr, "dev", end])?;
            ip(&["-n", ns, "link", "set", end, "up"])?;
        }
        Ok(())
    }

    /// `program args` in namespace `i`, ready to spawn; give the child to [`adopt`].
    pub fn command(&self, i: usize, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", self.name(i), program])
            .args(args);
        cmd
    }

    /// Keeps `child` to be killed on drop.
    pub fn adopt(&mut self, child: Child) -> &mut Child {
        self.children.push(child);
        self.children.last_mut().unwrap()
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Deleting a namespace deletes the veth ends inside it.
        for name in &self.names {
            let _ = ip(&["netns", "del", name]);
        }
    }
}
