"""The app's shell: page, panel base, runner, status line, language, parsing, live plot transport, page guards."""
