# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``python -m fastramqpi.events``; see :mod:`fastramqpi.events._cli`."""

import sys
import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# authlib's advice to move to httpx2 is for us, not for an operator reading the output.
warnings.filterwarnings("ignore", category=AuthlibDeprecationWarning)

from fastramqpi.events._cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
