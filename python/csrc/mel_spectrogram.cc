#include <algorithm>
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
        throw_invalid_argument(
            "ref", "ref='" + *spec +
                       "' is not supported; allowed: a number, np.max, 'max', 'pP' (e.g. 'p99.5') or a callable");
      parse_db_ref(*spec, o);
    } else {
      o.reference = DbReference::kValue, o.ref_value = std::get<double>(ref);
    }
    std::span<float> values(out.mutable_data(), static_cast<std::size_t>(out.size()));
    // A noise floor is per band of one spectrogram [n_mels, frames] (a 1-D array is one band).
    const bool noise = o.floor == DbFloor::kNoise || o.floor == DbFloor::kNoisePercentile;
    if (noise && s.ndim() > 2)
      throw_invalid_argument("floor", "floor='" + floor + "' takes one spectrogram [n_mels, frames], got " +
                                          std::to_string(s.ndim()) + " dimensions; apply it to each item");
    const std::size_t bands = s.ndim() == 2 ? static_cast<std::size_t>(s.shape(0)) : 1;
    {
      py::gil_scoped_release release;
      amplitude ? amplitude_to_db(values, o, std::max<std::size_t>(bands, 1))
                : power_to_db(values, o, std::max<std::size_t>(bands, 1));
    }
    return out;
  };
  m.def("db", to_db, py::arg("S"), py::arg("amplitude"), py::arg("ref"), py::arg("amin"), py::arg("top_db"),
        py::arg("floor"));
}

}  // namespace melnorm::python
