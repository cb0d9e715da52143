//! `--workload` on `harness run`, `serve`, `load` and `matrix`: the default is the
//! echo, and the choice reaches both the server's and the load's plans.

use clap::Parser;
use harness::backend::{BackendKind, ServerKind, WithServer};
use harness::cli::Cli;
use harness::plan::{Job, ServerPlan, Workload};
use harness::serve::{EchoServer, ServerError};
use pool_core::Pinning;

fn job(args: &[&str]) -> Job {
    let argv = std::iter::once("harness").chain(args.iter().copied());
    Cli::try_parse_from(argv)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .into_job()
}

#[test]
fn the_workload_reaches_server_and_load() {
    let Job::Run(plan) = job(&[]) else {
        panic!("not run")
    };
    assert_eq!(
        (plan.server.workload, plan.load.workload),
        (Workload::Echo, Workload::Echo)
    );
    let Job::Run(plan) = job(&["--workload", "http"]) else {
        panic!("not run")
    };
    assert_eq!(
        (plan.server.workload, plan.load.workload),
        (Workload::Http, Workload::Http)
    );
    let Job::Serve(plan) = job(&["serve", "--workload", "sockperf"]) else {
        panic!("not serve")
    };
    assert_eq!(plan.server.workload, Workload::Sockperf);
    let Job::Load { job: load, .. } =
        job(&["load", "--target", "127.0.0.1:1", "--workload", "http"])
    else {
        panic!("not load")
    };
    assert_eq!(load.plan.workload, Workload::Http);
    let Job::Matrix(plan) = job(&["matrix", "--quick", "--workload", "http"]) else {
        panic!("not matrix")
    };
    let run = plan.run_plan(BackendKind::Mio.into(), (1, 1), 100, 64, Some(1000.0));
    assert_eq!(
        (run.server.workload, run.load.workload),
        (Workload::Http, Workload::Http)
    );
    let err = Cli::try_parse_from(["harness", "--workload", "grpc"]).unwrap_err();
    assert!(
        err.to_string()
            .contains("possible values: echo, http, sockperf"),
        "{err}"
    );
}

#[test]
fn the_skewed_load_is_refused_on_other_workloads() {
    struct Start;
    impl WithServer for Start {
        type Output = Result<(), ServerError>;
        fn run<S: EchoServer>(self) -> Result<(), ServerError> {
            let plan = ServerPlan {
                threads: 1,
                work: std::time::Duration::from_micros(10),
                workload: Workload::Http,
                ..ServerPlan::default()
            };
            S::start(&plan.config(64, Pinning::None)).map(|s| {
                s.stop();
            })
        }
    }
    for kind in [ServerKind::Pool(BackendKind::Tokio), ServerKind::Reference] {
        let err = kind.serve(Start).unwrap_err();
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("echo workload only"), "{kind}: {source}");
    }
}
