//! Times the client work of one session execute and one status parse here and in starknet.js
//! (under node, same inputs, same machine) and prints both and their ratio.
//! Run: `cargo bench -p chipi-session --bench vs_starknet_js` (needs `npm ci --prefix tests/js`).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Median nanoseconds per call over `rounds` rounds of `per_round` calls.
fn median_ns<T>(rounds: usize, per_round: u32, mut f: impl FnMut() -> T) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..per_round {
                std::hint::black_box(f());
            }
            started.elapsed().as_secs_f64() * 1e9 / f64::from(per_round)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let inputs = common::Inputs::new();
    // Warm up, then measure.
    median_ns(3, 200, || common::execute_work(&inputs));
    let execute = median_ns(15, 400, || common::execute_work(&inputs));
    let status = median_ns(15, 20_000, || common::status_work(&inputs));

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let input_path = std::env::temp_dir().join(format!("chipi-bench-{}.json", std::process::id()));
    std::fs::write(&input_path, inputs.to_json().to_string()).expect("write inputs");
    let output = Command::new("node")
        .arg(root.join("tests/js/bench.mjs"))
        .arg(&input_path)
        .output();
    let _ = std::fs::remove_file(&input_path);
    println!(
        "session execute (parse + SNIP-12 hash + sign + encode): ours {:.1} µs",
        execute / 1e3
    );
    println!(
        "status (parse the batched answer):                     ours {:.2} µs",
        status / 1e3
    );
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            println!(
                "starknet.js side failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            return;
        }
        Err(e) => {
            println!("starknet.js side not run (node: {e})");
            return;
        }
    };
    let js: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("bench.mjs prints JSON");
    let js_execute = js["executeNs"].as_f64().expect("executeNs");
    let js_status = js["statusNs"].as_f64().expect("statusNs");
    println!(
        "starknet.js {}: execute {:.1} µs, status {:.2} µs",
        js["version"].as_str().unwrap_or("?"),
        js_execute / 1e3,
        js_status / 1e3
    );
    println!(
        "ratio (starknet.js / ours): execute {:.1}x, status {:.1}x",
        js_execute / execute,
        js_status / status
    );
    // Both sides must have done the same work: the same hash and signature.
    let ours = common::execute_work(&inputs);
    let ours: serde_json::Value = serde_json::from_str(&ours).unwrap();
    let our_signature = &ours["params"][0]["invoke"]["signature"];
    if &js["signature"] != our_signature {
        println!(
            "WARNING: signatures differ: ours {our_signature}, starknet.js {}",
            js["signature"]
        );
    } else {
        println!("same signature on both sides: {our_signature}");
    }
}
