//! What the server answers and the clients send: the echo, HTTP/1.1, or sockperf's
//! framing.

use serde::{Deserialize, Serialize};

/// The protocol of a run (`--workload`), the same for its server and its clients.
///
/// Whatever the workload, a server counts one request as `--msg-size` bytes in its
/// per-worker counters, so that "echoes" in every table are requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// Every byte comes back as it was sent (the default).
    #[default]
    Echo,
    /// HTTP/1.1 keep-alive: `GET /plaintext` answers `Hello, World!` with the headers
    /// of the TechEmpower plaintext test (hyper on the pools; a hand-rolled responder
    /// on the references, which answers only `GET /plaintext`).
    Http,
    /// The framing of Debian's `sockperf`: a 14-byte header, and a reply only to the
    /// messages whose header asks for one, so that `sockperf ping-pong --tcp` and
    /// `sockperf under-load --tcp` can measure any server.
    Sockperf,
}

impl Workload {
    /// The CLI and report name: `echo`, `http`, `sockperf`.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Echo => "echo",
            Workload::Http => "http",
            Workload::Sockperf => "sockperf",
        }
    }

    /// Whether this is the default echo (results and labels say nothing then).
    pub fn is_echo(self) -> bool {
        self == Workload::Echo
    }

    /// What one request is called in reports: `echo` for the echo, `request` otherwise.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::Echo => "echo",
            Workload::Http | Workload::Sockperf => "request",
        }
    }

    /// The load, as a README's opening sentence names it.
    pub fn description(self) -> &'static str {
        match self {
            Workload::Echo => "a loopback TCP echo load",
            Workload::Http => {
                "a loopback HTTP/1.1 keep-alive load (`GET /plaintext`, one request in flight \
                 per connection; hyper on the pools, and on epoll-ref and uring-ref a \
                 hand-rolled responder that answers only that request, a limit rather than a \
                 peer; the CPU columns headed *µs/echo* are per request)"
            }
            Workload::Sockperf => {
                "a loopback TCP load in sockperf's framing (the CPU columns headed *µs/echo* \
                 are per message)"
            }
        }
    }

    /// [`Workload::is_echo`] by reference, for serde's `skip_serializing_if`.
    pub fn is_echo_ref(&self) -> bool {
        self.is_echo()
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cli_names() {
        assert_eq!(Workload::default(), Workload::Echo);
        let json = serde_json::to_string(&Workload::Sockperf).unwrap();
        assert_eq!(json, "\"sockperf\"");
    }
}
