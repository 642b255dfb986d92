"""Static files in production: WhiteNoise's compressed manifest storage, with each file's URL
kept once looked up. `{% static %}` asked the manifest (parsing and joining the name) on every
use, seven times per page: a tenth of a list page's rendering (issue #24). The manifest does
not change while a process runs (collectstatic runs before the server starts), so neither do
the URLs."""

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: Any, force: bool = False) -> str:
        if force or not isinstance(name, str):
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
