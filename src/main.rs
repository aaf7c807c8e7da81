//! The `fascia` command.

fn main() -> std::process::ExitCode {
    fascia::cli::run()
}
