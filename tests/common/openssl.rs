//! An `openssl` child process for the interop tests and the transcript recorder: killed
//! and reaped on drop, its output collected, every wait with a deadline.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Where OpenSSL runs (so the test PKI's file names work as they are).
pub const PKI_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
/// How long any one wait may take.
pub const STEP: Duration = Duration::from_secs(15);

/// An OpenSSL child process, killed and reaped on drop. Its stdout and stderr are collected
/// (interleaved) by two reader threads.
pub struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<Vec<u8>>>,
}

/// Whether `openssl` runs here (checked once).
pub fn have_openssl() -> bool {
    static FOUND: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FOUND.get_or_init(|| {
        Command::new("openssl")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Without `openssl`, a test that needs it returns early (loudly); under `CI` it fails
/// instead, so a CI run that lacks the tool cannot pass silently.
#[macro_export]
macro_rules! require_openssl {
    () => {
        if !openssl::have_openssl() {
            if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
                panic!("CI must run the OpenSSL tests, but `openssl` is not on PATH");
            }
            eprintln!("SKIPPED: openssl not on PATH");
            return;
        }
    };
}

/// `openssl s_server -tls1_2` for one connection on a free loopback port, with `args`
/// after that (a later `-naccept N` overrides the one). Returns the process once it
/// listens, and its port.
pub fn s_server(args: &[&str]) -> (Proc, u16) {
    s_server_env(args, &[])
}

/// [`s_server`] with extra environment variables (`OPENSSL_CONF`, say).
pub fn s_server_env(args: &[&str], env: &[(&str, &str)]) -> (Proc, u16) {
    let all: Vec<String> = [
        "s_server",
        "-tls1_2",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
    ]
    .iter()
    .chain(args)
    .map(|s| s.to_string())
    .collect();
    let proc = Proc::spawn_env(&all, env);
    let port = proc
        .wait_for_line("ACCEPT 127.0.0.1:")
        .unwrap_or_else(|e| panic!("s_server did not start: {e}"))
        .parse()
        .expect("s_server prints its port");
    (proc, port)
}

impl Proc {
    pub fn spawn(args: &[String]) -> Proc {
        Proc::spawn_env(args, &[])
    }

    /// Like `spawn`, with extra environment variables (`OPENSSL_CONF`, say).
    pub fn spawn_env(args: &[String], env: &[(&str, &str)]) -> Proc {
        let mut child = Command::new("openssl")
            .args(args)
            .envs(env.iter().copied())
            .current_dir(PKI_DIR)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl spawns");
        let output = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        for mut pipe in [Box::new(stdout) as Box<dyn Read + Send>, Box::new(stderr)] {
            let output = output.clone();
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    output
                        .lock()
                        .expect("not poisoned")
                        .extend_from_slice(&buf[..n]);
                }
            });
        }
        let stdin = child.stdin.take();
        Proc {
            child,
            stdin,
            output,
        }
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("not poisoned")).into_owned()
    }

    /// Waits until the output contains `needle` followed by a line end; returns that line's
    /// remainder after `needle`.
    pub fn wait_for_line(&self, needle: &str) -> Result<String, String> {
        let deadline = Instant::now() + STEP;
        loop {
            let out = self.output();
            if let Some(at) = out.find(needle) {
                let rest = &out[at + needle.len()..];
                if let Some(eol) = rest.find('\n') {
                    return Ok(rest[..eol].trim().to_string());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {needle:?}; output:\n{out}"));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn write_stdin(&mut self, data: &[u8]) {
        if let Some(stdin) = &mut self.stdin {
            // The process may have exited already; the checks on its output will say why.
            let _ = stdin.write_all(data);
            let _ = stdin.flush();
        }
    }

    /// The child's stdin, for a caller that writes and closes it itself.
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.stdin.take()
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the process to exit; `None` on timeout (the guard then kills it).
    pub fn wait(&mut self) -> Option<ExitStatus> {
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader threads catch up with the last output.
                thread::sleep(Duration::from_millis(50));
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
