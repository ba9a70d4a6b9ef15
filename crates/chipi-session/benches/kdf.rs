//! Prints what one PIN guess costs against a sealed secret with the default Argon2id
//! parameters (the target is at least 0.25 s on the project's machines), and the time of the
//! SDK format's MD5-based derivation for comparison. Run: `cargo bench -p chipi-session --bench kdf`.

use std::time::{Duration, Instant};

use chipi_session::keys::sdk_cipher;
use chipi_session::{SealedSecret, SecretKey};

fn time<T>(runs: u32, mut f: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    started.elapsed() / runs
}

fn main() {
    let key = SecretKey::generate().expect("random key");
    let sealed = SealedSecret::seal(&key, "482916").expect("seal");
    let params = sealed.params().expect("params");
    let guess = time(5, || sealed.open("000000").is_err());
    println!(
        "sealed secret (Argon2id m={} KiB t={} p={} + XChaCha20-Poly1305): {:.3} s per wrong guess",
        params.memory_kib,
        params.iterations,
        params.parallelism,
        guess.as_secs_f64()
    );
    let sdk = sdk_cipher::encrypt(&key.to_padded_hex(), "482916").expect("encrypt");
    let sdk_guess = time(1000, || sdk_cipher::decrypt(&sdk, "000000").is_err());
    println!(
        "SDK format (EVP_BytesToKey MD5 + AES-CBC): {:.1} µs per wrong guess",
        sdk_guess.as_secs_f64() * 1e6
    );
    println!(
        "a 6-digit PIN space (10^6 guesses): {:.1} days vs {:.1} s",
        guess.as_secs_f64() * 1e6 / 86_400.0,
        sdk_guess.as_secs_f64() * 1e6
    );
}
