"""Drop-in modules with other libraries' layouts: ``import melnorm.compat.librosa as librosa``."""
