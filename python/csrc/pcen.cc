#include "melnorm/pcen.h"
#include "bindings.h"
#include "melnorm/error.h"

namespace melnorm::python {

void define_pcen(py::module_& m) {
  m.def(
      "pcen",
      [](FloatArray s, double sr, int hop_length, double gain, double bias, double power, double time_constant,
         double eps, std::optional<std::vector<double>> zi) {
        if (s.ndim() != 2)
          throw_invalid_argument("S", "S must be [n_mels, n_frames], got a " + std::to_string(s.ndim()) + "-D array");
        const std::size_t F = static_cast<std::size_t>(s.shape(0)), T = static_cast<std::size_t>(s.shape(1));
        Pcen p({.sr = sr,
                .hop_length = hop_length,
                .gain = gain,
                .bias = bias,
                .power = power,
                .time_constant = time_constant,
                .eps = eps},
               F);
        if (zi) p.set_state(*zi);
        py::array_t<float> out({F, T});
        std::copy(s.data(), s.data() + s.size(), out.mutable_data());
        {
          py::gil_scoped_release release;
          p.process(out.mutable_data(), T, T);
        }
        return py::make_tuple(out, p.state());
      },
      py::arg("S"), py::arg("sr"), py::arg("hop_length"), py::arg("gain"), py::arg("bias"), py::arg("power"),
      py::arg("time_constant"), py::arg("eps"), py::arg("zi"));
}

}  // namespace melnorm::python
