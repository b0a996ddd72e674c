#include "melnorm/audio.h"
#include "bindings.h"

namespace melnorm::python {

void define_audio(py::module_& m) {
  m.def(
      "load",
      [](const std::filesystem::path& path, std::optional<int> sr, bool mono) {
        Audio a;
        {
          py::gil_scoped_release release;
          a = load_audio(path, {.sample_rate = sr, .mono = mono});
        }
        const auto frames = static_cast<py::ssize_t>(a.frames());
        py::array_t<float> y = mono ? py::array_t<float>(std::vector<py::ssize_t>{frames})
                                    : py::array_t<float>(std::vector<py::ssize_t>{a.channels, frames});
        std::copy(a.samples.begin(), a.samples.end(), y.mutable_data());
        return py::make_tuple(y, a.sample_rate);
      },
      py::arg("path"), py::arg("sr") = py::none(), py::arg("mono") = true);
}

}  // namespace melnorm::python
