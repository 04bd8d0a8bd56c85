//! Child-process plumbing shared by the harnesses: a background reader that keeps a child's
//! output (so its pipe never fills and blocks it) and hands lines out as they arrive, running a
//! command to completion under a deadline, and picking free ports on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The lines a child wrote to one of its pipes, read by a background thread.
pub struct CapturedOutput {
    lines: Arc<Mutex<Vec<String>>>,
    receiver: Receiver<String>,
}

impl CapturedOutput {
    /// Starts reading `pipe` line by line until it closes.
    pub fn start(pipe: impl Read + Send + 'static) -> Self {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sender, receiver) = mpsc::channel();
        let kept = Arc::clone(&lines);
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                kept.lock().unwrap().push(line.clone());
                // The receiver may be gone (nobody waits for lines any more); keep draining.
                let _ = sender.send(line);
            }
        });
        CapturedOutput { lines, receiver }
    }

    /// The next line, waiting at most until `deadline`; `None` on timeout or end of output.
    pub fn next_line_before(&self, deadline: Instant) -> Option<String> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.receiver.recv_timeout(left).ok()
    }

    /// Everything read so far, one line per line.
    pub fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

/// What a finished command printed, and how it exited.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// The exit code (`-1` when killed by a signal).
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }

    /// stdout and stderr together, for messages and `contains` checks.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs `command` with `stdin` as its input and waits for it, killing it after `limit`.
pub fn run_to_completion(command: &mut Command, stdin: &[u8], limit: Duration) -> Finished {
    let description = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {description}: {error}"));
    let stdout = CapturedOutput::start(child.stdout.take().unwrap());
    let stderr = CapturedOutput::start(child.stderr.take().unwrap());
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    // A child that exits without reading all its input closes the pipe: ignore that error.
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let status = wait_with_limit(&mut child, limit)
        .unwrap_or_else(|| panic!("{description} still running after {limit:?}; killed"));
    let _ = writer.join();
    // The readers finish once the pipes close, which follows the exit.
    let drain_deadline = Instant::now() + Duration::from_secs(5);
    while stdout.next_line_before(drain_deadline).is_some() {}
    while stderr.next_line_before(drain_deadline).is_some() {}
    Finished {
        status,
        stdout: stdout.text(),
        stderr: stderr.text(),
    }
}

/// Waits for `child` to exit; kills it and returns `None` when `limit` passes first.
pub fn wait_with_limit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). Another
/// process may take it before the caller binds it, so callers retry on a bind failure.
pub fn free_local_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// Kills and reaps `child`, ignoring a child that already exited.
pub fn kill_and_reap(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A child process killed and reaped when the guard drops (also when a test panics).
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        kill_and_reap(&mut self.0);
    }
}
