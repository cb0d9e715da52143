//! `harness load --workload http|sockperf` checks every answer: against a server of
//! the same workload, no errors; against a server of another, every wrong answer is
//! a counted integrity error.

mod support;

use harness::backend::{BackendKind, ServerKind, WithServer};
use harness::plan::{ServerPlan, Workload};
use harness::serve::EchoServer;
use pool_core::Pinning;
use serde_json::Value;
use support::{run_load, text, TempDir};

/// Runs `harness load --workload client` for 300 ms against `kind` serving `served`;
/// returns the load result.
fn load(kind: ServerKind, served: Workload, client: Workload) -> Value {
    struct Run(Workload, Workload);
    impl WithServer for Run {
        type Output = Value;
        fn run<S: EchoServer>(self) -> Value {
            let plan = ServerPlan {
                threads: 2,
                workload: self.0,
                ..ServerPlan::default()
            };
            let server = S::start(&plan.config(64, Pinning::None)).unwrap();
            let dir = TempDir::new("load-workload");
            let addr = server.addr().to_string();
            let out = run_load(&addr, "300ms", &dir, &["--workload", self.1.name()]);
            // With errors the load fails, and still writes its result.
            assert_eq!(out.status.success(), self.0 == self.1, "{}", text(&out));
            let snapshot = server.stop();
            let result = dir.results().remove(0);
            if self.0 == self.1 {
                // The server counted a request as one echo of --msg-size bytes.
                let requests = result["load"]["requests"].as_u64().unwrap();
                assert!(snapshot.total_bytes() / 64 >= requests, "{snapshot:?}");
            }
            result
        }
    }
    kind.serve(Run(served, client))
}

#[test]
fn the_http_and_sockperf_loads_run_clean_on_their_servers() {
    for kind in [ServerKind::Pool(BackendKind::Mio), ServerKind::Reference] {
        for workload in [Workload::Http, Workload::Sockperf] {
            let result = load(kind, workload, workload);
            support::assert_sane(&result);
        }
    }
}

#[test]
fn wrong_answers_are_counted_errors() {
    let kind = ServerKind::Pool(BackendKind::Tokio);
    for (served, client) in [
        (Workload::Echo, Workload::Http),
        (Workload::Http, Workload::Sockperf),
    ] {
        let result = load(kind, served, client);
        let errors = &result["load"]["errors"];
        assert!(
            errors["integrity"].as_u64().unwrap() >= 1,
            "{served} served, {client} sent: {errors}"
        );
    }
}
