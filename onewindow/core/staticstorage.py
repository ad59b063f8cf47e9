"""Static files in production: whitenoise's compressed manifest storage (every file's name
carries a hash of its content, so whitenoise serves it with a far-future `immutable` cache header,
and a gzip copy of every text file is made once by `collectstatic`; brotli too if the `brotli`
package is installed).

A file missing from the manifest (`collectstatic` not run: a developer's DEBUG=0 shell, the test
run) is served under its plain name instead of raising, so a page never fails on a stale manifest;
those files get whitenoise's short default cache time."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # whitenoise ships no types
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            stored: str = super().stored_name(name)
            return stored
        except ValueError:  # not collected: the plain name
            return name
