//! The CLI's value enums: each mirrors a domain enum (which knows nothing of clap),
//! and its doc comments are the `--help` text of the values.

use clap::ValueEnum;

use crate::plan::{Profile, Workload};
use crate::serve::AcceptStrategy;

/// Declares a `ValueEnum` mirror of a domain enum with the same variants, and the
/// conversions both ways (the defaults stay in [`crate::plan::defaults`], in domain
/// terms).
macro_rules! mirror {
    ($(#[$meta:meta])* $cli:ident => $domain:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
        pub enum $cli {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<$cli> for $domain {
            fn from(value: $cli) -> $domain {
                match value {
                    $($cli::$variant => $domain::$variant,)+
                }
            }
        }

        impl From<$domain> for $cli {
            fn from(value: $domain) -> $cli {
                match value {
                    $($domain::$variant => $cli::$variant,)+
                }
            }
        }
    };
}

mirror! {
    /// `--accept`: an [`AcceptStrategy`].
    AcceptArg => AcceptStrategy {
        /// One acceptor; each std socket goes to the next worker round-robin (the pool's
        /// `spawn`), which registers it with its own reactor. On tokio-mt this is the
        /// natural accept loop plus `tokio::spawn`.
        Single,
        /// One `SO_REUSEPORT` listener per worker; the kernel spreads connections.
        Reuseport,
    }
}

mirror! {
    /// `--workload`: a [`Workload`].
    WorkloadArg => Workload {
        /// Every byte comes back as it was sent (the default).
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
}

mirror! {
    /// `--profiles`: a [`Profile`].
    ProfileArg => Profile {
        /// Server workers and client threads pinned to disjoint CPUs: the server's own
        /// cost, undisturbed by the generator (on 2 CPUs: 1 worker on CPU 0, the client
        /// on CPU 1).
        Isolated,
        /// Unpinned, sharing every CPU: what a busy machine looks like.
        Shared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI names are the domain's report names, and both ways round-trip.
    #[test]
    fn cli_names_are_the_domain_names() {
        for &w in WorkloadArg::value_variants() {
            assert_eq!(
                w.to_possible_value().unwrap().get_name(),
                Workload::from(w).name()
            );
            assert_eq!(WorkloadArg::from(Workload::from(w)), w);
        }
        for &p in ProfileArg::value_variants() {
            assert_eq!(
                p.to_possible_value().unwrap().get_name(),
                Profile::from(p).name()
            );
        }
        for &a in AcceptArg::value_variants() {
            let json = serde_json::to_string(&AcceptStrategy::from(a)).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", a.to_possible_value().unwrap().get_name())
            );
        }
    }
}
