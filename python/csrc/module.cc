#include "bindings.h"
#include "melnorm/allocator.h"
#include "melnorm/version.h"

PYBIND11_MODULE(_melnorm, m) {
  m.doc() = "melnorm's C++ core; use the `melnorm` package, not this module directly";
  m.attr("__version__") = melnorm::version();
  melnorm::python::define_error(m);
  melnorm::python::define_audio(m);
  melnorm::python::define_mel_spectrogram(m);
  melnorm::python::define_normalize(m);
  melnorm::python::define_stats(m);
  melnorm::python::define_pcen(m);
  melnorm::python::define_augment(m);
  melnorm::python::define_extract(m);
  melnorm::python::define_pipeline(m);
  melnorm::python::define_librosa(m);
  melnorm::python::define_online_mel_spectrogram(m);
  melnorm::python::install_warning_handler();
  melnorm::keep_freed_heap();  // as the CLI: each call's arrays reuse freed heap (melnorm/allocator.h)
}
