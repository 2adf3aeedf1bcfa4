//! The server's own work per token request, without the network: one
//! `POST /demo/as/token` (`client_credentials`, `client_secret_basic`, the request of the load
//! benchmark in `benches/load/`) through [`oauth_hyper::Router::handle`], on a current-thread
//! tokio runtime, with the in-memory store.
//!
//! Inside the timing: routing, the request id and span, the concurrency slot, reading the
//! body under its limits, the engine and the async driver, the store's save (and its expiry
//! sweep), the response's conversion to `http::Response`, and dropping it. Outside: hyper's
//! parsing and encoding and the socket (what `benches/load/run.sh` adds on top).
//!
//! ```sh
//! cargo bench -p oauth-hyper --bench router -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(missing_docs)]
// Set-up code fails loudly: a server that does not answer 200 must stop the run.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::Full;
use oauth_hyper::{Router, Server};

/// The allocator `oauth-server` runs with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn request() -> http::Request<Full<Bytes>> {
    http::Request::post("/demo/as/token")
        .header("host", "127.0.0.1")
        .header("content-type", "application/x-www-form-urlencoded")
        // base64("demo-basic:demo-basic-secret")
        .header(
            "authorization",
            "Basic ZGVtby1iYXNpYzpkZW1vLWJhc2ljLXNlY3JldA==",
        )
        .header("content-length", "40")
        .body(Full::new(Bytes::from_static(
            b"grant_type=client_credentials&scope=read",
        )))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let router: Router = rt.block_on(async {
        // The demo tenant (its `demo-basic` client is the load benchmark's), in memory, with a
        // 1 s access-token lifetime: the store holds about one second of tokens and its
        // expiry sweep runs on every save, as under sustained load.
        let mut config = oauth_hyper::demo::config().unwrap();
        config.listen = "127.0.0.1:0".to_owned();
        config.store = oauth_hyper::config::StoreFile::memory();
        for t in &mut config.tenants {
            t.access_token_ttl_secs = std::num::NonZeroU64::MIN;
        }
        Server::bind(config).await.unwrap().router()
    });
    let first = rt.block_on(router.handle(request()));
    assert_eq!(first.status(), 200, "the token request must succeed");

    let mut group = c.benchmark_group("router");
    group.bench_function("token client_credentials basic", |b| {
        b.iter_batched(
            request,
            |req| {
                let resp = rt.block_on(router.handle(req));
                assert_eq!(resp.status(), 200);
                black_box(resp)
            },
            criterion::BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
