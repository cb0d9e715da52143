//! `--pin`: server workers and load generator threads on disjoint CPUs.

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
