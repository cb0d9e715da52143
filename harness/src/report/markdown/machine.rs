//! The paragraph that says what the machine is and what that means for the numbers.

/// What sharing `cores` logical CPUs between `server` worker threads and `client` load
/// generator threads means for the numbers.
///
/// ```
/// let text = harness::report::markdown::sharing_paragraph(2, 2, 1);
/// assert!(text.contains("share"));
/// ```
pub fn sharing_paragraph(cores: usize, server: usize, client: usize) -> String {
    let threads = server + client;
    let mut p = format!(
        "This machine has {cores} logical CPU{}. The echo server runs {server} worker \
         thread{} and the load generator, a separate process on the same machine, runs \
         {client} client thread{}, all over loopback. ",
        plural(cores),
        plural(server),
        plural(client)
    );
    if cores < threads {
        p.push_str(&format!(
            "With {threads} busy threads on {cores} CPU{}, client and server share the \
             CPUs: the generator's own CPU time competes with the server's, so closed-loop \
             throughput is bounded by the cost of both sides together rather than by the \
             server alone; latency includes the time one process waits for the other to \
             be scheduled; and a backend that burns less CPU leaves more to the generator, \
             which shows up as throughput. That is the *shared* profile, unpinned; the \
             *isolated* profile pins the server workers and the load generator to disjoint \
             CPUs, so the server's own cost shows undisturbed. ",
            plural(cores)
        ));
    } else {
        p.push_str(
            "There are enough CPUs for every thread, but the matrix does not pin them, so \
             the scheduler may still place client and server threads on the same CPU. ",
        );
    }
    p.push_str(
        "If the machine is a virtual machine on shared hardware, noisy neighbours and CPU \
         steal add variance that no repetition removes; the min–max spreads show how much. \
         Read the ratios against the baseline, measured interleaved in the same run, rather \
         than the absolute numbers, and compare absolute numbers only between runs on the \
         same machine. Server CPU per echo at a fixed rate is the most stable figure: compare \
         it with the epoll-ref reference's, measured in the same run.",
    );
    p
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
