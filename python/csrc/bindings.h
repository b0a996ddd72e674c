// Shared by the binding files; each python/csrc/X.cc mirrors include/melnorm/X.h.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <vector>

#include "melnorm/error.h"
#include "melnorm/pipeline_options.h"

namespace melnorm::python {

namespace py = pybind11;

// float32, C-contiguous: other dtypes and strided views are converted (copied).
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// Shape as size_t, for the library's views.
inline std::vector<std::size_t> shape_of(const py::array& a) { return {a.shape(), a.shape() + a.ndim()}; }

// Python keywords -> the library's option text, through the schema (one
// conversion for every front end: json.dumps of the value, then option_text).
// `schemas`: the tables the keywords may come from; unknown names are refused
// by the library with the closest name.
OptionValues option_values_from(const py::dict& kwargs, const std::vector<const std::vector<OptionSpec>*>& schemas);

// A waveform array as float32 samples, scaled as the CLI scales a .npy
// waveform (int16 by 1/32768); other integer dtypes are refused by name.
py::array_t<float> waveform_array(const py::array& y, const char* name = "y");

// Library warnings raised during a call, issued as Python UserWarnings (once
// per distinct message) when the call returns with the GIL held. Each call
// collects its own (a ThreadWarningHandler on the calling thread, inherited
// by the threads the call starts): two threads' calls never see each other's.
// Under `-W error` the first warning is raised from the destructor, which is
// why it may throw (never while an exception is already on its way).
class WarningsToPython {
 public:
  WarningsToPython();
  ~WarningsToPython() noexcept(false);
  WarningsToPython(const WarningsToPython&) = delete;
  WarningsToPython& operator=(const WarningsToPython&) = delete;

 private:
  struct Sink {
    std::mutex mutex;
    std::vector<std::string> messages;
  };
  std::shared_ptr<Sink> sink_;
  std::optional<ThreadWarningHandler> scope_;
  int uncaught_;
};
void install_warning_handler();

void define_pipeline(py::module_& m);
void define_error(py::module_& m);
void define_audio(py::module_& m);
void define_mel_spectrogram(py::module_& m);
void define_normalize(py::module_& m);
void define_stats(py::module_& m);
void define_pcen(py::module_& m);
void define_extract(py::module_& m);
void define_librosa(py::module_& m);
void define_online_mel_spectrogram(py::module_& m);
void define_augment(py::module_& m);

}  // namespace melnorm::python
