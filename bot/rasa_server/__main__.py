"""`python -m bot.rasa_server run --model ... --endpoints ...`: `rasa run` with our guards.

Takes exactly the arguments of the `rasa` command line (any sub-command works, but only
`run` serves conversations).
"""

from __future__ import annotations

import sys

from bot.rasa_server import install


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
