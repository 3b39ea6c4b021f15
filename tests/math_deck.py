"""A small deck with math and a figure, written beside its figure, for the tests of both."""

from __future__ import annotations

from pathlib import Path

# The smallest PNG there is: a 1x1 transparent pixel. A second one differs in its last byte
# of image data only, as an edited figure would.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PNG_EDITED = PNG[:-20] + b"\x00" + PNG[-19:]

DECK = r"""[deck]
id = "math"
title = "Math deck"

[[card]]
id = "policy"
kind = "finding"
front = 'Which policy does the backdoored model follow?'
back = 'It follows $\alpha^2 + \beta_i$ when triggered.'
source = "§3.1"

[[card]]
id = "loss-curve"
kind = "limitation"
front = 'What does this curve leave out? ![Loss against steps](figures/fig3.png)'
back = 'Models above 13B parameters, which the study never trains.'
source = "Figure 3"

[[card]]
id = "misread"
kind = "misreading"
front = '"Safety training always removes the backdoor."'
back = 'It did not remove it in the largest models; see Section 4 for the measured rates.'
source = "Section 4"
"""


def write_math_deck(folder: Path, png: bytes = PNG) -> Path:
    """`folder/math.toml` with `folder/figures/fig3.png` beside it; the deck file's path."""
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    (folder / "figures" / "fig3.png").write_bytes(png)
    path = folder / "math.toml"
    path.write_text(DECK, encoding="utf-8")
    return path
