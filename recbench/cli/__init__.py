"""The command line: argument parsing and printing. Everything else lives in the library."""
