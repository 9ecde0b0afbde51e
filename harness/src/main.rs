//! The `iaf` binary; see `iaf --help`.

fn main() -> std::process::ExitCode {
    harness::cli::run()
}
