//! The load child of `harness run`: when it dies without a result, the message says
//! how, and never points at a message that is not there.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::harness;

/// The processes whose parent is `parent`, from `/proc/*/stat`.
fn children_of(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The fields after the command name (in parentheses): state, then ppid.
        let after = &stat[stat.rfind(')').map_or(0, |i| i + 1)..];
        let ppid = after.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if ppid == Some(parent) {
            children.push(pid);
        }
    }
    children
}

#[test]
fn a_killed_load_child_is_named_as_killed() {
    let mut run = harness()
        .args([
            "run",
            "--backend",
            "tokio",
            "--conns",
            "2",
            "--duration",
            "60s",
            "--warmup",
            "0",
            "--no-files",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(run.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("connected") {
            break;
        }
    }
    let children = children_of(run.id());
    assert_eq!(children.len(), 1, "the load child: {children:?}");
    let killed = Command::new("kill")
        .args(["-KILL", &children[0].to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let rest = rest.join("\n");
    assert_eq!(run.wait().unwrap().code(), Some(1), "{rest}");
    assert!(rest.contains("killed by signal SIGKILL"), "{rest}");
    assert!(!rest.contains("see its message above"), "{rest}");
}

#[test]
fn a_load_child_started_by_hand_explains_itself() {
    let out = harness()
        .arg("load-child")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    support::assert_fails_with(&out, "use `harness load --target ADDR`");
}
