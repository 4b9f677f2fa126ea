use std::process::ExitCode;

use statectl::exit::{Exit, UsageError};

fn main() -> ExitCode {
    match statectl::run(std::env::args_os()) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            // A closed pipe (`statectl doctor | head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .map(|io| io.kind())
                    .or_else(|| {
                        c.downcast_ref::<serde_json::Error>()
                            .and_then(|j| j.io_error_kind())
                    })
                    == Some(std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // an error may quote a server or a URL: no raw control characters on a terminal
            eprintln!("statectl: {}", statectl::render::escape(&format!("{e:#}")));
            // an error that a Ctrl-C caused (a wait cut short) still ends as interrupted
            let exit = if statectl::cancel::interrupted() {
                Exit::Interrupted
            } else if e.is::<UsageError>() {
                Exit::Usage
            } else {
                Exit::Error
            };
            ExitCode::from(exit.code())
        }
    }
}
