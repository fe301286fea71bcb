"""``python -m sk_rmsprop``: the sk-rmsprop command."""

import sys

from .cli import main

sys.exit(main())
