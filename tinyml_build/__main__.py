"""`python -m tinyml_build` is the `tinyml-build` command."""

import sys

from .cli import main

sys.exit(main())
