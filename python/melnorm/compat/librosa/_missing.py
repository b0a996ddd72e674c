"""The AttributeError a librosa name melnorm does not provide raises: what the module offers, and librosa itself."""


def module_getattr(module_name, offered):
    public = module_name.replace("melnorm.compat.librosa", "librosa")

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        raise AttributeError(
            f"melnorm.compat.librosa does not provide {public}.{name}. {public} here offers: "
            f"{', '.join(sorted(n for n in offered if not n.startswith('_')))}. For {public}.{name}, use librosa "
            f"itself (pip install librosa); melnorm never substitutes another function for a missing name "
            f"(docs/coming-from-librosa.md lists what is provided).")

    return __getattr__
