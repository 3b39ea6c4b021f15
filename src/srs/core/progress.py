"""Old name of `srs.core.ticker`, kept only for `store/content.py` until the store rewrite.

TODO(issue 24): the lead's store rewrite imports `srs.core.ticker` (`Ticker`, `no_ticker`) in
`store/content.py`; then this module goes, and no module named `progress` is about the bar.
"""

from __future__ import annotations

from srs.core.ticker import LOADING, Ticker, no_ticker, report_every

Progress = Ticker
no_progress = no_ticker

__all__ = ["LOADING", "Progress", "no_progress", "report_every"]
