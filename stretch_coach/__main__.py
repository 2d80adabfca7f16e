"""Allow ``python -m stretch_coach``."""

from stretch_coach.cli import main

raise SystemExit(main())
