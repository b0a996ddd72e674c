#include "melnorm/stats.h"
#include "bindings.h"
#include "melnorm/error.h"
#include "melnorm/normalize.h"

namespace melnorm::python {

void define_stats(py::module_& m) {
  py::class_<Stats>(m, "Stats", "Streaming dataset statistics per mel band and overall (see melnorm.Stats)")
      .def(py::init([](std::size_t n_mels) {
             return Stats(n_mels, {{"n_mels", std::to_string(n_mels)}});
           }),
           py::arg("n_mels"))
      .def(
          "update",
          [](Stats& s, FloatArray x, std::optional<std::vector<std::size_t>> lengths) {
            const auto [B, F, T] = batch_shape(shape_of(x), "X");
            if (lengths && lengths->size() != B)
              throw_invalid_argument("lengths",
                                     "lengths must have one entry per spectrogram (" + std::to_string(B) + ")");
            std::vector<Stats::Item> items;
            for (std::size_t i = 0; i < B; ++i) items.push_back({x.data() + i * F * T, T, lengths ? (*lengths)[i] : T});
            py::gil_scoped_release release;
            s.update(items, F);
          },
          py::arg("X"), py::arg("lengths") = py::none())
      .def("merge", &Stats::merge, py::arg("other"))
      .def("to_json", &Stats::to_json)
      .def_static(
          "from_json", [](const std::string& text) { return Stats::from_json(text); }, py::arg("text"))
      .def("copy", [](const Stats& s) { return Stats(s); })
      .def("__copy__", [](const Stats& s) { return Stats(s); })
      .def(
          "__deepcopy__", [](const Stats& s, py::dict) { return Stats(s); }, py::arg("memo"))
      .def(py::pickle([](const Stats& s) { return s.to_json(); },  // exact: doubles round-trip
                      [](const std::string& text) { return Stats::from_json(text); }))
      .def(
          "save", [](const Stats& s, const std::filesystem::path& path) { s.save(path); }, py::arg("path"))
      .def_static(
          "load", [](const std::filesystem::path& path) { return Stats::load(path); }, py::arg("path"))
      .def("percentile", &Stats::percentile, py::arg("q"), py::arg("band") = py::none())
      .def_property_readonly("n_bands", &Stats::n_bands)
      .def_property_readonly("count", &Stats::count)
      .def_property_readonly("mean", [](const Stats& s) { return s.overall().mean; })
      .def_property_readonly("std", [](const Stats& s) { return s.overall().stddev(); })
      .def_property_readonly("min", [](const Stats& s) { return s.overall().min; })
      .def_property_readonly("max", [](const Stats& s) { return s.overall().max; })
      .def_property_readonly("band_mean",
                             [](const Stats& s) {
                               std::vector<double> v;
                               for (std::size_t b = 0; b < s.n_bands(); ++b) v.push_back(s.band(b).mean);
                               return v;
                             })
      .def_property_readonly("band_std",
                             [](const Stats& s) {
                               std::vector<double> v;
                               for (std::size_t b = 0; b < s.n_bands(); ++b) v.push_back(s.band(b).stddev());
                               return v;
                             })
      .def_property_readonly("fingerprint", &Stats::fingerprint)
      .def("__repr__", [](const Stats& s) {
        return "<melnorm.Stats n_bands=" + std::to_string(s.n_bands()) + " count=" + std::to_string(s.count()) + ">";
      });
}

}  // namespace melnorm::python
