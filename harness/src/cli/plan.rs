//! Flags become a plan, once: [`Cli::into_job`]. Defaults that depend on the machine
//! (worker and client threads) are applied here, from [`crate::plan::defaults`].

use std::time::Duration;

use super::commands::{Cli, Command, LoadArgs, ReportArgs, RunArgs, ServeArgs};
use super::opts::{LoadOpts, OutputOpts, ServerOpts};
use super::publish::{MatrixArgs, PlotArgs};
use crate::plan::{
    defaults, Job, LoadJob, LoadPlan, MatrixPlan, OutputPlan, PlotPlan, ReadmePlan, ReportPlan,
    RunPlan, ServePlan, ServerPlan, Workload,
};

impl Cli {
    /// The plan of the command the flags describe (`run` when none is named).
    pub fn into_job(self) -> Job {
        match self.into_command() {
            Command::Run(args) => Job::Run(args.plan()),
            Command::Serve(args) => Job::Serve(args.plan()),
            Command::Load(args) => {
                let (job, output) = args.plan();
                Job::Load { job, output }
            }
            Command::LoadChild => Job::LoadChild,
            Command::Report(args) => Job::Report(args.plan()),
            Command::Plot(args) => Job::Plot(args.plan()),
            Command::Matrix(args) => Job::Matrix(args.plan()),
            Command::Readme(args) => Job::Readme(ReadmePlan {
                dir: args.dir.clone(),
                replicate: args.replicate.clone(),
            }),
        }
    }
}

impl ServerOpts {
    fn plan(&self) -> ServerPlan {
        ServerPlan {
            threads: self
                .threads
                .map_or_else(defaults::server_threads, |t| t as usize),
            accept: self.accept.into(),
            listen: self.listen,
            backlog: self.backlog,
            work: Duration::ZERO,
            workload: Workload::Echo,
        }
    }
}

impl LoadOpts {
    fn plan(&self) -> LoadPlan {
        let conns = self.conns as usize;
        LoadPlan {
            rate: self.rate,
            duration: self.duration.0,
            warmup: self.warmup.0,
            connect_timeout: self.connect_timeout.0,
            connect_concurrency: self.connect_concurrency as usize,
            client_spin: self.client_spin,
            ..LoadPlan::new(
                conns,
                self.msg_size,
                self.client_threads.map(|t| t as usize),
            )
        }
    }
}

impl OutputOpts {
    fn plan(&self) -> OutputPlan {
        OutputPlan {
            dir: (!self.no_files).then(|| self.out.clone()),
        }
    }
}

impl RunArgs {
    /// The plan of `harness run`.
    pub fn plan(&self) -> RunPlan {
        RunPlan {
            backends: self.backend.kinds(),
            parks: self.park.park.clone(),
            placements: self.placement.placement.clone(),
            repeat: self.repeat,
            pin: self.pin,
            server: ServerPlan {
                work: self.skew.skew().map_or(Duration::ZERO, |s| s.work),
                workload: self.workload.workload.into(),
                ..self.server.plan()
            },
            load: LoadPlan {
                skew: self.skew.skew(),
                conn_requests: self.skew.conn_requests,
                workload: self.workload.workload.into(),
                ..self.load.plan()
            },
            output: self.output.plan(),
        }
    }
}

impl ServeArgs {
    /// The plan of `harness serve`.
    pub fn plan(&self) -> ServePlan {
        ServePlan {
            backend: self.backend.0,
            park: self.park,
            server: ServerPlan {
                workload: self.workload.workload.into(),
                ..self.server.plan()
            },
            msg_size: self.msg_size,
            pin: self.pin,
        }
    }
}

impl LoadArgs {
    /// The job of `harness load`, and where its files go.
    pub fn plan(&self) -> (LoadJob, OutputPlan) {
        let job = LoadJob {
            target: self.target,
            plan: LoadPlan {
                workload: self.workload.workload.into(),
                ..self.load.plan()
            },
            cpus: self.cpus.clone(),
            start_at: self.start_at,
        };
        (job, self.output.plan())
    }
}

impl ReportArgs {
    /// The plan of `harness report`.
    pub fn plan(&self) -> ReportPlan {
        ReportPlan {
            files: self.files.clone(),
            out: self.out.clone(),
        }
    }
}

impl PlotArgs {
    /// The plan of `harness plot`.
    pub fn plan(&self) -> PlotPlan {
        PlotPlan {
            files: self.files.clone(),
            out: self.out.clone(),
        }
    }
}

impl MatrixArgs {
    /// The plan of `harness matrix`: the published matrix with the overrides applied.
    pub fn plan(&self) -> MatrixPlan {
        let published = MatrixPlan::published(self.quick, self.out.clone());
        let or = |list: &Vec<u32>, default: Vec<u32>| {
            if list.is_empty() {
                default
            } else {
                list.clone()
            }
        };
        let mut server = published.server.clone();
        if let Some(t) = self.shared_threads {
            server.threads = t as usize;
        }
        server.workload = self.workload.workload.into();
        let isolated_threads = if self.threads.is_empty() {
            published.isolated_threads.clone()
        } else {
            self.threads.iter().map(|&t| t as usize).collect()
        };
        let profiles = if self.profiles.is_empty() {
            published.profiles.clone()
        } else {
            self.profiles.iter().map(|&p| p.into()).collect()
        };
        MatrixPlan {
            conns: or(&self.conns_list, published.conns.clone()),
            sizes: if self.sizes.is_empty() {
                published.sizes.clone()
            } else {
                self.sizes.clone()
            },
            open_levels: or(&self.open_levels, published.open_levels.clone()),
            repeat: self.repeat.unwrap_or(published.repeat),
            duration: self.duration.unwrap_or(published.duration),
            warmup: self.warmup.unwrap_or(published.warmup),
            server,
            isolated_threads,
            profiles,
            client_threads: self.client_threads.map(|t| t as usize),
            parks: self.park.park.clone(),
            placements: self.placement.placement.clone(),
            client_spin: self.client_spin,
            skew: self.skew.skew(),
            conn_requests: self.skew.conn_requests,
            name: self.name.clone(),
            ..published
        }
        .normalized()
    }
}
