//! What the benchmarks share: percentiles and the `BENCH` lines they print.
#![allow(dead_code)]

use std::time::Duration;

/// The `p`th percentile of `samples` (nearest rank).
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Prints one `BENCH` line, with the reference measured in the same run when there is one.
pub fn report(name: &str, value: Duration, reference: Option<Duration>) {
    let ms = value.as_secs_f64() * 1e3;
    match reference {
        Some(r) => {
            let rms = r.as_secs_f64() * 1e3;
            println!("BENCH {name} {ms:.3} ms ref={rms:.3} ratio={:.2}", ms / rms.max(1e-6));
        }
        None => println!("BENCH {name} {ms:.3} ms"),
    }
}
