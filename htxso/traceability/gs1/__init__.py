"""GS1 data shipped with the app (no network, no ../shared at run time): see NOTICE.md."""

from pathlib import Path

DATA = Path(__file__).resolve().parent
