from .run_all import main

raise SystemExit(main())
