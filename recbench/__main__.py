from recbench.cli.main import main

raise SystemExit(main())
