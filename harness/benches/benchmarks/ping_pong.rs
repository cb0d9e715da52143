//! Cross-worker wake ping-pong: two tasks on different workers bounce a message, so
//! every hop wakes a task on the other thread.
//!
//! The ping task runs on worker 0 and the pong task on worker 1 (`Handle::spawn_on`).
//! On tokio-mt `spawn_on` does not place tasks, so there they are just two tasks and the
//! scheduler decides where each runs (work stealing may put both on one thread). The
//! channels are `futures` unbounded channels, the same on every backend, so only the
//! wake path differs. The ping task times `iters` round trips itself, after one
//! untimed round trip that makes sure both tasks are running; the time is per round
//! trip (two cross-worker wakes).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::StreamExt;
use pool_core::{Handle, Runtime};

use super::support::{compare_park_policies, Case, Target};

/// Adds the `ping_pong` group.
pub(crate) fn benches(c: &mut Criterion) {
    compare_park_policies(c, "ping_pong", &PingPong);
}

/// Sends `n` to the pong task and waits for it to come back.
async fn round_trip(
    to_pong: &UnboundedSender<u64>,
    from_pong: &mut UnboundedReceiver<u64>,
    n: u64,
) {
    to_pong.unbounded_send(n).expect("the pong task is running");
    let back = from_pong.next().await.expect("the pong task answers");
    assert_eq!(back, n, "the pong task returned another message");
}

/// Two tasks, two workers, `iters` round trips per sample.
struct PingPong;

impl Case for PingPong {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>, target: &Target) {
        let Some(pool) = target.pool::<R>() else {
            return;
        };
        let handle = pool.handle();
        group.bench_function(target.id::<R>("2-workers"), |b| {
            b.iter_custom(|iters| {
                let (to_pong, mut pong_rx) = unbounded::<u64>();
                let (to_ping, mut from_pong) = unbounded::<u64>();
                let (elapsed_tx, elapsed_rx) = mpsc::channel::<Duration>();
                // The pong task ends when the ping task drops its sender.
                handle
                    .spawn_on(1, async move {
                        while let Some(n) = pong_rx.next().await {
                            if to_ping.unbounded_send(n).is_err() {
                                break;
                            }
                        }
                    })
                    .expect("spawn the pong task");
                handle
                    .spawn_on(0, async move {
                        round_trip(&to_pong, &mut from_pong, u64::MAX).await;
                        let start = Instant::now();
                        for n in 0..iters {
                            round_trip(&to_pong, &mut from_pong, n).await;
                        }
                        let _ = elapsed_tx.send(start.elapsed());
                    })
                    .expect("spawn the ping task");
                elapsed_rx.recv().expect("the ping task reports its time")
            });
        });
        pool.shutdown_on_idle();
    }
}
