#include "melnorm/augment.h"

#include "bindings.h"

namespace melnorm::python {

void define_augment(py::module_& m) {
  m.def(
      "augment",
      [](FloatArray y, std::uint64_t seed, std::uint64_t epoch, std::uint64_t clip, std::optional<DbRange> gain_db,
         int bits, bool tpdf_dither, std::optional<DbRange> noise_snr_db, const std::string& noise_color) {
        if (y.ndim() != 1)
          throw_invalid_argument("y", "y must be a 1-D waveform, got a " + std::to_string(y.ndim()) + "-D array");
        const Augmentation a{.gain_db = gain_db,
                             .bits = bits,
                             .dither = tpdf_dither,
                             .noise_snr_db = noise_snr_db,
                             .noise_color = parse_noise_color(noise_color)};
        std::vector<float> in(y.data(), y.data() + y.size()), out;
        {
          py::gil_scoped_release release;
          out = augment(in, a, seed, epoch, clip);
        }
        py::array_t<float> result(static_cast<py::ssize_t>(out.size()));
        std::copy(out.begin(), out.end(), result.mutable_data());
        return result;
      },
      py::arg("y"), py::arg("seed"), py::arg("epoch"), py::arg("clip"), py::arg("gain_db"), py::arg("bits"),
      py::arg("tpdf_dither"), py::arg("noise_snr_db"), py::arg("noise_color"));
  m.def(
      "augment_noise",
      [](std::size_t n, std::uint64_t seed, std::uint64_t epoch, std::uint64_t clip, const std::string& color) {
        const std::vector<double> v = augmentation_noise(n, parse_noise_color(color), seed, epoch, clip);
        py::array_t<double> out(static_cast<py::ssize_t>(v.size()));
        std::copy(v.begin(), v.end(), out.mutable_data());
        return out;
      },
      py::arg("n"), py::arg("seed"), py::arg("epoch"), py::arg("clip"), py::arg("color"));
  py::class_<DbRange>(m, "DbRange")
      .def(py::init([](double lo, double hi) {
             return DbRange{lo, hi};
           }),
           py::arg("lo"), py::arg("hi"))
      .def_readonly("lo", &DbRange::lo)
      .def_readonly("hi", &DbRange::hi);
}

}  // namespace melnorm::python
