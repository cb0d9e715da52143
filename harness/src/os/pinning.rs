//! `--pin`: server workers and load generator threads on disjoint CPUs.

use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::unistd::Pid;

/// CPUs for the server workers and for the client threads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuPlan {
    /// The server workers' CPUs, or `None`: not pinned.
    pub server: Option<Vec<usize>>,
    /// The client threads' CPUs; empty: not pinned.
    pub client: Vec<usize>,
}

/// Splits the CPUs this process may use: the first `server` for the workers, the next
/// `client` for the load generator. `None` (with a reason) when there are not enough.
pub fn plan(server: usize, client: usize) -> Result<CpuPlan, String> {
    let cpus: Vec<usize> = core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .collect();
    if server + client > cpus.len() {
        return Err(format!(
            "--pin needs {server} server + {client} client CPUs but only {} are available; \
             not pinning (lower --threads or --client-threads)",
            cpus.len()
        ));
    }
    Ok(CpuPlan {
        server: Some(cpus[..server].to_vec()),
        client: cpus[server..server + client].to_vec(),
    })
}

/// The calling thread held on some CPUs, until dropped (see [`confine_current_thread`]).
#[derive(Debug)]
#[must_use = "the thread's previous CPUs are restored when this is dropped"]
pub struct Confined {
    previous: Option<CpuSet>,
}

impl Drop for Confined {
    fn drop(&mut self) {
        if let Some(previous) = &self.previous {
            let _ = sched_setaffinity(Pid::from_raw(0), previous);
        }
    }
}

/// Holds the calling thread on `cpus` until the returned guard is dropped, which
/// restores its previous CPUs. Threads and processes it starts meanwhile inherit the
/// mask.
///
/// `harness run --pin` confines the thread that follows the load generator (and the
/// threads that read its output, and the load process's own main thread) to the
/// server's CPUs: the client's CPUs are for the client threads alone, whose sends a
/// wake-up of another thread there would delay. Best effort: if the mask cannot be
/// read or set, nothing changes.
pub fn confine_current_thread(cpus: &[usize]) -> Confined {
    let this = Pid::from_raw(0);
    let Ok(previous) = sched_getaffinity(this) else {
        return Confined { previous: None };
    };
    let mut set = CpuSet::new();
    for &cpu in cpus {
        if set.set(cpu).is_err() {
            return Confined { previous: None };
        }
    }
    match sched_setaffinity(this, &set) {
        Ok(()) => Confined {
            previous: Some(previous),
        },
        Err(_) => Confined { previous: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<usize> {
        let set = sched_getaffinity(Pid::from_raw(0)).expect("read the mask");
        (0..CpuSet::count())
            .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
            .collect()
    }

    #[test]
    fn a_confined_thread_runs_on_its_cpus_until_the_guard_drops() {
        // On a thread of its own: the test harness's thread keeps its mask.
        std::thread::spawn(|| {
            let before = allowed();
            let first = before[0];
            let guard = confine_current_thread(&[first]);
            assert_eq!(allowed(), vec![first]);
            // A thread started meanwhile inherits the mask.
            let child = std::thread::spawn(allowed).join().expect("child thread");
            assert_eq!(child, vec![first]);
            drop(guard);
            assert_eq!(allowed(), before);
        })
        .join()
        .expect("test thread");
    }
}
