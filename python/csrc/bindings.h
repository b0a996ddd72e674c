// Shared by the binding files; each python/csrc/X.cc mirrors include/melnorm/X.h.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <vector>

namespace melnorm::python {

namespace py = pybind11;

// float32, C-contiguous: other dtypes and strided views are converted (copied).
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// Shape as size_t, for the library's views.
inline std::vector<std::size_t> shape_of(const py::array& a) {
  return {a.shape(), a.shape() + a.ndim()};
}

void define_error(py::module_& m);
void define_audio(py::module_& m);
void define_mel_spectrogram(py::module_& m);
void define_normalize(py::module_& m);
void define_stats(py::module_& m);
void define_pcen(py::module_& m);
void define_extract(py::module_& m);

}  // namespace melnorm::python
