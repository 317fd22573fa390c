from recbench.cli.main import entry

entry()
