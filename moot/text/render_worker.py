"""A process that renders Markdown for `moot.text.render_pool`, one text at a time.

It reads one JSON line per text on stdin, the text and the site's custom emoji
(``[text, [[shortcode, image address, alt text], ...]]``), and answers one JSON line per
text on stdout: the sanitised HTML, or null when the text could not be rendered within
the memory this process may use. It says ``"ready"`` once its imports are done, so the
time its parent allows a render does not include starting up.

    python -m moot.text.render_worker
"""

from __future__ import annotations

import json
import os
import resource
import sys

from moot.text.markdown import Emoji, render_markdown
from moot.thread_priority import STEP

# What one render may take besides the interpreter's own; a text within the length limits
# needs a few tens of MB at most.
ADDRESS_SPACE_LIMIT = 1 << 30


def main() -> None:
    # The texts are strangers': the instance's own requests go first when cores are short
    # (as in `moot.thread_priority`).
    os.nice(STEP)
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    answer("ready")
    for line in sys.stdin.buffer:
        text, emojis = json.loads(line)
        known = {code: Emoji(code, url, alt) for code, url, alt in emojis}
        try:
            answer(render_markdown(text, known))
        except MemoryError:
            answer(None)


def answer(value: str | None) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
