# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An example OS2mo integration: it keeps a record of the people MO tells it about."""
