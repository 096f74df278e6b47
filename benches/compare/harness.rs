//! Options, the timing of rates, and the output (the table and the `BENCH` lines).

use std::time::Duration;

pub struct Opts {
    pub smoke: bool,
    pub secs: f64,
    pub rounds: usize,
    /// A fixed number of operations per column (one round, no calibration): for profiling.
    pub iters: Option<u64>,
    /// Only this column (tls12, rustls or floor): for profiling.
    pub column: Option<String>,
    pub filters: Vec<String>,
    /// `--mem-clients STACK,ADDR,N`: be the client process of the `tokio_mem_10k*` rows.
    pub mem_clients: Option<String>,
}

impl Opts {
    pub fn parse() -> Result<Self, lexopt::Error> {
        use lexopt::prelude::*;
        let mut o = Opts {
            smoke: std::env::var_os("TLS12_BENCH_SMOKE").is_some(),
            secs: 0.3,
            rounds: 10,
            iters: None,
            column: None,
            filters: Vec::new(),
            mem_clients: None,
        };
        let mut args = lexopt::Parser::from_env();
        while let Some(arg) = args.next()? {
            match arg {
                // cargo bench passes --bench to harness = false targets.
                Long("bench") => {}
                Long("smoke") => o.smoke = true,
                Long("secs") => o.secs = args.value()?.parse()?,
                Long("rounds") => o.rounds = args.value()?.parse()?,
                Long("iters") => o.iters = Some(args.value()?.parse()?),
                Long("column") => {
                    let c: String = args.value()?.parse()?;
                    if !COLUMNS.contains(&c.as_str()) {
                        return Err("--column takes tls12, rustls or floor".into());
                    }
                    o.column = Some(c);
                }
                Short('h') | Long("help") => {
                    println!(
                        "usage: cargo bench --bench compare -- [--smoke] [--secs S] [--rounds N] \
                         [--iters N] [--column tls12|rustls|floor] [ROW|PREFIX]..\n\
                         rows: {}",
                        ROWS.join(" ")
                    );
                    std::process::exit(0);
                }
                Long(crate::sockets::MEM_CLIENTS) => o.mem_clients = Some(args.value()?.string()?),
                Value(row) => o.filters.push(row.string()?),
                _ => return Err(arg.unexpected()),
            }
        }
        for f in &o.filters {
            assert!(
                ROWS.iter().any(|r| r.starts_with(f.as_str())),
                "no row matches {f:?}; rows: {}",
                ROWS.join(" ")
            );
        }
        Ok(o)
    }

    pub fn wants(&self, row: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| row.starts_with(f.as_str()))
    }
}

pub const COLUMNS: [&str; 3] = ["tls12", "rustls", "floor"];

pub const ROWS: [&str; 15] = [
    "full_rsa",
    "full_ecdsa",
    "resume_id",
    "resume_ticket",
    "bulk_aes128gcm",
    "bulk_aes256gcm",
    "bulk_chacha20",
    "mem_client",
    "mem_server",
    "allocs_per_record",
    "tokio_full_hs",
    "tokio_resume",
    "tokio_bulk",
    "tokio_mem_10k",
    "tokio_mem_10k_keepalive",
];

/// The CPU time this thread has used: time while the thread is not running (other
/// processes on a shared machine) does not count against any column. Kernel time spent for
/// the thread (the getrandom system calls) does.
pub fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A workload: `run(n)` does `n` operations.
pub type Work<'a> = Box<dyn FnMut(u64) + 'a>;

/// Operations per second for each column: the best of `rounds` rounds, each column timed
/// for about `secs` per round (in smoke mode: a couple of operations, once).
pub fn rates(opts: &Opts, mut cols: Vec<Option<Work<'_>>>) -> Vec<Option<f64>> {
    if let Some(only) = &opts.column {
        for (i, c) in cols.iter_mut().enumerate() {
            if COLUMNS[i] != only {
                *c = None;
            }
        }
    }
    let mut best: Vec<Option<f64>> = vec![None; cols.len()];
    // Calibrate: how many operations fit in a round.
    let mut batch: Vec<u64> = Vec::new();
    for w in cols.iter_mut() {
        let Some(w) = w else {
            batch.push(0);
            continue;
        };
        if opts.smoke || opts.iters.is_some() {
            batch.push(opts.iters.unwrap_or(2));
            continue;
        }
        let mut n = 1u64;
        loop {
            let t = cpu_time();
            w(n);
            let el = (cpu_time() - t).as_secs_f64();
            if el > 0.05 {
                batch.push(((opts.secs / el * n as f64) as u64).max(1));
                break;
            }
            n *= 4;
        }
    }
    let rounds = if opts.smoke || opts.iters.is_some() {
        1
    } else {
        opts.rounds
    };
    for _ in 0..rounds {
        for (i, w) in cols.iter_mut().enumerate() {
            let Some(w) = w else { continue };
            let t = cpu_time();
            w(batch[i]);
            let r = batch[i] as f64 / (cpu_time() - t).as_secs_f64().max(1e-9);
            best[i] = Some(best[i].map_or(r, |b: f64| b.max(r)));
        }
    }
    best
}

pub struct Row {
    pub name: &'static str,
    pub what: &'static str,
    pub tls12: Option<f64>,
    pub rustls: Option<f64>,
    pub floor: Option<f64>,
    pub unit: &'static str,
    /// Lower is better (memory, allocations).
    pub lower_better: bool,
}

pub fn fmt_val(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v == v.trunc() && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

pub fn ratio(a: Option<f64>, b: Option<f64>, lower_better: bool) -> String {
    match (a, b) {
        (Some(a), Some(b)) if lower_better && b > 0.0 => format!("{:.2}", a / b),
        (Some(a), Some(b)) if !lower_better && b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_string(),
    }
}

pub fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<24} {:<34} {:>12} {:>12} {:>12} {:>14} {:>12} {:>14}",
        "row", "what", "tls12", "rustls", "floor", "unit", "tls12/rustls", "tls12/floor"
    );
    for r in rows {
        println!(
            "{:<24} {:<34} {:>12} {:>12} {:>12} {:>14} {:>12} {:>14}",
            r.name,
            r.what,
            fmt_val(r.tls12),
            fmt_val(r.rustls),
            fmt_val(r.floor),
            r.unit,
            ratio(r.tls12, r.rustls, r.lower_better),
            ratio(r.tls12, r.floor, r.lower_better),
        );
    }
    println!();
    for r in rows {
        println!(
            "BENCH {} tls12={} rustls={} floor={} unit={}",
            r.name,
            fmt_val(r.tls12),
            fmt_val(r.rustls),
            fmt_val(r.floor),
            r.unit
        );
    }
}
