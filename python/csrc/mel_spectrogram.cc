#include <string>
#include <variant>

#include "bindings.h"
#include "melnorm/error.h"
#include "melnorm/mel_spectrogram.h"

namespace melnorm::python {

void define_mel_spectrogram(py::module_& m) {
  // ref: a value, or "max" / "pP" resolved per array by the core.
  auto to_db = [](FloatArray s, bool amplitude, const std::variant<double, std::string>& ref, double amin,
                  std::optional<double> top_db, const std::string& floor) {
    py::array_t<float> out(shape_of(s));
    std::copy(s.data(), s.data() + s.size(), out.mutable_data());
    DbOptions o{.amin = amin, .top_db = top_db, .floor = parse_db_floor(floor)};
    if (const auto* spec = std::get_if<std::string>(&ref)) {
      if (*spec == "off" || *spec == "ref1")
        throw_invalid_argument("ref", "ref='" + *spec + "' is not supported; allowed: a number, np.max, 'max', 'pP' (e.g. 'p99.5') or a callable");
      parse_db_ref(*spec, o);
    } else {
      o.reference = DbReference::kValue, o.ref_value = std::get<double>(ref);
    }
    std::span<float> values(out.mutable_data(), static_cast<std::size_t>(out.size()));
    {
      py::gil_scoped_release release;
      amplitude ? amplitude_to_db(values, o) : power_to_db(values, o);
    }
    return out;
  };
  m.def("db", to_db, py::arg("S"), py::arg("amplitude"), py::arg("ref"), py::arg("amin"), py::arg("top_db"),
        py::arg("floor"));
}

}  // namespace melnorm::python
