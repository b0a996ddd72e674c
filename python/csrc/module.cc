#include <malloc.h>

#include "bindings.h"
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
  melnorm::python::define_extract(m);
  melnorm::python::define_pipeline(m);
  melnorm::python::define_librosa(m);
  melnorm::python::define_online_mel_spectrogram(m);
  melnorm::python::install_warning_handler();
#ifdef M_TOP_PAD
  // As the CLI (cli/malloc_tuning.h): keep up to 64 MiB of freed heap and
  // reuse blocks below 32 MiB, so each call's feature arrays do not
  // page-fault their memory in again (Whisper's [80, 3000] per clip: 12.6 ms
  // -> 2.0 ms). Process-wide, set once when melnorm is imported.
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}
