//! The command line: clap's own consistency checks, and the plans the main flag
//! combinations become.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use harness::backend::{BackendKind, ServerKind};
use harness::cli::Cli;
use harness::plan::{defaults, Job, Mode, OutputPlan, Park, Place, Skew};
use harness::serve::AcceptStrategy;

fn job(args: &[&str]) -> Job {
    let argv = std::iter::once("harness").chain(args.iter().copied());
    Cli::try_parse_from(argv)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .into_job()
}

#[test]
fn clap_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn no_subcommand_is_run_with_the_defaults() {
    let Job::Run(plan) = job(&[]) else {
        panic!("not a run")
    };
    assert_eq!(plan.backends, vec![ServerKind::Pool(defaults::BACKEND)]);
    assert_eq!(plan.parks, [Park::Immediate]);
    assert!(!plan.load.client_spin);
    assert_eq!(plan.load.skew, None, "no skew unless asked");
    assert_eq!(plan.load.conn_requests, None, "no churn unless asked");
    assert_eq!(plan.server.work, Duration::ZERO);
    assert_eq!(plan.repeat, defaults::REPEAT);
    assert!(!plan.pin);
    assert_eq!(plan.server.threads, defaults::server_threads());
    assert_eq!(plan.server.accept, defaults::ACCEPT);
    assert_eq!(plan.server.listen, defaults::LISTEN);
    assert_eq!(plan.server.backlog, defaults::BACKLOG);
    let load = &plan.load;
    assert_eq!(load.conns, defaults::CONNS as usize);
    assert_eq!(load.msg_size, defaults::MSG_SIZE);
    assert_eq!(load.duration, defaults::DURATION);
    assert_eq!(load.warmup, defaults::WARMUP);
    assert_eq!(load.connect_timeout, defaults::CONNECT_TIMEOUT);
    assert_eq!(
        load.connect_concurrency,
        defaults::CONNECT_CONCURRENCY as usize
    );
    assert_eq!(load.mode(), Mode::Closed);
    assert_eq!(plan.output.dir, Some(PathBuf::from(defaults::OUT_DIR)));
}

#[test]
fn run_with_every_flag() {
    let Job::Run(plan) = job(&[
        "run",
        "--backend",
        "all",
        "--threads",
        "3",
        "--accept",
        "reuseport",
        "--listen",
        "127.0.0.1:7000",
        "--backlog",
        "64",
        "--conns",
        "10",
        "--client-threads",
        "20",
        "--msg-size",
        "4KiB",
        "--duration",
        "2s",
        "--warmup",
        "0",
        "--rate",
        "500",
        "--connect-timeout",
        "500ms",
        "--connect-concurrency",
        "8",
        "--pin",
        "--repeat",
        "3",
        "--park",
        "immediate,spin:50us,never",
        "--client-spin",
        "--no-files",
    ]) else {
        panic!("not a run")
    };
    assert_eq!(plan.backends, ServerKind::all().to_vec());
    let spin = Park::Spin(Duration::from_micros(50));
    assert_eq!(plan.parks, [Park::Immediate, spin, Park::Never]);
    assert!(plan.load.client_spin);
    let (targets, notes) = plan.targets();
    let labels: Vec<String> = targets.iter().map(|t| t.label()).collect();
    // Where io_uring is refused, `all` leaves its two servers out, each with a note.
    let io_uring = ServerKind::all().iter().all(|k| k.available().is_ok());
    let expected = [
        "tokio-mt",
        "tokio",
        "mio",
        "mio-spin50us",
        "mio-never-park",
        "uring",
        "uring-spin50us",
        "uring-never-park",
        "epoll-ref",
        "uring-ref",
    ];
    let expected: Vec<&str> = expected
        .into_iter()
        .filter(|l| io_uring || !l.starts_with("uring"))
        .collect();
    assert_eq!(labels, expected, "{notes:?}");
    if !io_uring {
        let skipped = notes.iter().filter(|n| n.contains(": skipped: ")).count();
        assert_eq!(skipped, 2, "{notes:?}");
    }
    assert_eq!(plan.repeat, 3);
    assert!(plan.pin);
    assert_eq!(plan.server.threads, 3);
    assert_eq!(plan.server.accept, AcceptStrategy::Reuseport);
    assert_eq!(plan.server.listen, SocketAddr::from(([127, 0, 0, 1], 7000)));
    assert_eq!(plan.server.backlog, 64);
    let load = &plan.load;
    assert_eq!(load.conns, 10);
    // Never more client threads than connections.
    assert_eq!(load.threads, 10);
    assert_eq!(load.msg_size, 4096);
    assert_eq!(load.duration, Duration::from_secs(2));
    assert_eq!(load.warmup, Duration::ZERO);
    assert_eq!(load.rate, Some(500.0));
    assert_eq!(load.mode(), Mode::Open);
    assert_eq!(load.connect_timeout, Duration::from_millis(500));
    assert_eq!(load.connect_concurrency, 8);
    assert_eq!(plan.output, OutputPlan::none());
}

#[test]
fn serve_with_its_flags() {
    let Job::Serve(plan) = job(&[
        "serve",
        "--backend",
        "mio",
        "--threads",
        "2",
        "--listen",
        "0.0.0.0:0",
        "--msg-size",
        "1KiB",
        "--pin",
        "--park",
        "spin:1ms",
    ]) else {
        panic!("not serve")
    };
    assert_eq!(plan.park, Park::Spin(Duration::from_millis(1)));
    assert_eq!(plan.backend, ServerKind::Pool(BackendKind::Mio));
    assert_eq!(plan.server.threads, 2);
    assert_eq!(plan.server.listen, SocketAddr::from(([0, 0, 0, 0], 0)));
    assert_eq!(plan.msg_size, 1024);
    assert!(plan.pin);
}

#[test]
fn load_with_a_common_start() {
    let Job::Load { job, output } = job(&[
        "load",
        "--target",
        "localhost:7000",
        "--conns",
        "4",
        "--cpus",
        "0,1",
        "--start-at",
        "1767225600.25",
        "--out",
        "here",
    ]) else {
        panic!("not load")
    };
    assert!(job.target.ip().is_loopback());
    assert_eq!(job.target.port(), 7000);
    assert_eq!(job.plan.conns, 4);
    assert_eq!(job.cpus, vec![0, 1]);
    assert_eq!(
        job.start_at,
        Some(std::time::UNIX_EPOCH + Duration::from_millis(1_767_225_600_250))
    );
    assert_eq!(output.dir, Some(PathBuf::from("here")));
}

#[test]
fn skew_and_churn_reach_both_server_and_load() {
    let Job::Run(plan) = job(&[
        "--work-us",
        "250",
        "--hot-fraction",
        "0.3",
        "--conn-requests",
        "40",
    ]) else {
        panic!("not a run")
    };
    let work = Duration::from_micros(250);
    assert_eq!(
        plan.load.skew,
        Some(Skew {
            work,
            hot_fraction: 0.3
        })
    );
    assert_eq!(
        plan.server.work, work,
        "the server computes what the load asks"
    );
    assert_eq!(plan.load.conn_requests, Some(40));
    // The hot share defaults when only the work is given; --work-us 0 is off.
    let Job::Run(plan) = job(&["--work-us", "100"]) else {
        panic!("not a run")
    };
    assert_eq!(
        plan.load.skew.map(|s| s.hot_fraction),
        Some(defaults::HOT_FRACTION)
    );
    let Job::Run(plan) = job(&["--work-us", "0"]) else {
        panic!("not a run")
    };
    assert_eq!((plan.load.skew, plan.server.work), (None, Duration::ZERO));
    // The matrix gives every cell the same skew and churn.
    let Job::Matrix(plan) = job(&[
        "matrix",
        "--quick",
        "--work-us",
        "50",
        "--conn-requests",
        "5",
    ]) else {
        panic!("not matrix")
    };
    let run = plan.run_plan(BackendKind::Mio.into(), (1, 1), 100, 64, Some(1000.0));
    assert_eq!(run.server.work, Duration::from_micros(50));
    assert_eq!(
        run.load.skew.map(|s| s.work),
        Some(Duration::from_micros(50))
    );
    assert_eq!(run.load.conn_requests, Some(5));
    // The io_uring reference does not run the skewed load: left out, with a note.
    let (targets, notes) = plan.targets();
    assert!(targets.iter().all(|t| t.kind != ServerKind::UringReference));
    assert!(
        notes.iter().any(|n| n.starts_with("uring-ref: skipped")),
        "{notes:?}"
    );
}

#[test]
fn placements_expand_into_targets() {
    let Job::Run(plan) = job(&[
        "--backend",
        "all",
        "--placement",
        "round-robin,p2c,least-loaded",
    ]) else {
        panic!("not a run")
    };
    assert_eq!(
        plan.placements,
        [
            Place::RoundRobin,
            Place::PowerOfTwoChoices,
            Place::LeastLoaded
        ]
    );
    let (targets, notes) = plan.targets();
    let labels: Vec<String> = targets.iter().map(|t| t.label()).collect();
    assert!(labels.contains(&"mio-p2c".to_owned()), "{labels:?}");
    assert!(
        labels.contains(&"tokio-least-loaded".to_owned()),
        "{labels:?}"
    );
    assert!(
        !labels.iter().any(|l| l.starts_with("tokio-mt-")),
        "{labels:?}"
    );
    assert!(notes
        .iter()
        .any(|n| n.starts_with("tokio-mt: cannot honour placement")));
    let Job::Matrix(plan) = job(&["matrix", "--quick", "--placement", "p2c"]) else {
        panic!("not matrix")
    };
    let (targets, _) = plan.targets();
    let mio = targets
        .iter()
        .find(|t| t.label() == "mio-p2c")
        .expect("mio-p2c in the matrix");
    let run = plan.run_plan(*mio, (1, 1), 100, 64, None);
    assert_eq!(run.placements, [Place::PowerOfTwoChoices]);
    assert_eq!(run.targets().0, [*mio]);
}

#[test]
fn report_plot_and_matrix() {
    let Job::Report(plan) = job(&["report", "a.json", "b.hist", "--out", "m"]) else {
        panic!("not report")
    };
    assert_eq!(plan.files.len(), 2);
    assert_eq!(plan.out, Some(PathBuf::from("m")));
    let Job::Plot(plan) = job(&["plot", "runs"]) else {
        panic!("not plot")
    };
    assert_eq!(plan.out, PathBuf::from(defaults::PLOT_DIR));

    let Job::Matrix(plan) = job(&["matrix", "--quick"]) else {
        panic!("not matrix")
    };
    assert_eq!(plan.repeat, defaults::matrix::QUICK_REPEAT);
    assert_eq!(plan.duration, defaults::matrix::QUICK_DURATION);
    assert_eq!(plan.conns, defaults::matrix::QUICK_CONNS.to_vec());
    assert_eq!(plan.root, PathBuf::from(defaults::MATRIX_ROOT));
    let Job::Matrix(plan) = job(&[
        "matrix",
        "--conns-list",
        "100,1,100",
        "--sizes",
        "64",
        "--open-levels",
        "80,50",
        "--repeat",
        "2",
        "--threads",
        "1,2",
        "--profiles",
        "isolated",
        "--name",
        "x",
    ]) else {
        panic!("not matrix")
    };
    assert_eq!(plan.conns, vec![1, 100]);
    assert_eq!(plan.open_levels, vec![50, 80]);
    assert_eq!(plan.repeat, 2);
    assert_eq!(plan.duration, defaults::matrix::DURATION);
    assert_eq!(plan.isolated_threads, vec![1, 2]);
    assert_eq!(
        plan.sections().len(),
        2,
        "one section per isolated thread count"
    );
    let run = plan.run_plan(BackendKind::Tokio.into(), (2, 1), 100, 64, None);
    assert_eq!(run.server.threads, 2);
    assert_eq!(run.server.backlog, defaults::BACKLOG);
}

#[test]
fn help_shows_the_defaults() {
    let help = Cli::command().render_long_help().to_string();
    for shown in [
        format!("[default: {}]", defaults::BACKLOG),
        format!("[default: {}]", defaults::CONNS),
        format!("[default: {}s]", defaults::DURATION.as_secs()),
        format!("[default: {}]", defaults::OUT_DIR),
    ] {
        assert!(help.contains(&shown), "help lacks {shown}:\n{help}");
    }
}

/// `--workload` on `harness run`, `serve`, `load` and `matrix`: the default is the
/// echo, and the choice reaches both the server's and the load's plans.
mod workload {
    use harness::backend::WithServer;
    use harness::plan::{ServerPlan, Workload};
    use harness::serve::{EchoServer, ServerError};
    use pool_core::Pinning;

    use super::*;

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
}
