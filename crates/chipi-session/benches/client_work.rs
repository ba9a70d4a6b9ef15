//! Criterion benches of the client work per session execute and per status read.
//! Run: `cargo bench -p chipi-session --bench client_work`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

fn benches(c: &mut Criterion) {
    let inputs = common::Inputs::new();
    c.bench_function(
        "session execute: parse + SNIP-12 hash + sign + encode",
        |b| b.iter(|| common::execute_work(std::hint::black_box(&inputs))),
    );
    c.bench_function("status: parse the batched answer", |b| {
        b.iter(|| common::status_work(std::hint::black_box(&inputs)))
    });
}

criterion_group!(client_work, benches);
criterion_main!(client_work);
