from os import PathLike
from typing import Any, Callable, Sequence

def extract(paths_or_manifest: str | PathLike[str] | Sequence[str | PathLike[str]], out_dir: str | PathLike[str],
            client: Any, *, chunk_size: int = ..., progress: Callable[[int, int], None] | None = ...,
            **options: Any) -> dict[str, float]: ...
