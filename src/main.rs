//! The `watchpost` binary: a thin wrapper over [`watchpost::cli::main`].

fn main() -> std::process::ExitCode {
    watchpost::cli::main()
}
