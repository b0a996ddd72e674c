#include "melnorm/normalize.h"
#include "bindings.h"
#include "melnorm/error.h"

namespace melnorm::python {

namespace {

// One method's declaration, as melnorm.methods() lists it (its docstring and the stubs name these keys).
py::dict method_dict(const MethodInfo& info) {
  py::list params;
  for (const auto& p : info.params)
    params.append(py::dict(py::arg("name") = p.name, py::arg("default") = p.default_value, py::arg("min") = p.min,
                           py::arg("max") = p.max, py::arg("description") = p.description));
  return py::dict(py::arg("name") = info.name, py::arg("description") = info.description,
                  py::arg("kind") = to_string(info.kind), py::arg("supports_global") = info.supports_global,
                  py::arg("supports_frame_axis") = info.supports_frame_axis(), py::arg("params") = params,
                  py::arg("input") = to_string(info.input), py::arg("unit") = info.unit, py::arg("range") = info.range,
                  py::arg("needs_frame_rate") = info.needs_frame_rate());
}

}  // namespace

void define_normalize(py::module_& m) {
  m.def(
      "normalize",
      [](FloatArray x, const std::string& method, const std::string& scope, const std::string& axis, const Stats* stats,
         std::optional<py::array_t<long long, py::array::c_style | py::array::forcecast>> lengths,
         const MethodParams& params) {
        const auto shape = shape_of(x);
        const auto [B, F, T] = batch_shape(shape, "X");
        std::vector<std::size_t> lens;
        if (lengths) {
          if (lengths->ndim() != 1 || static_cast<std::size_t>(lengths->size()) != B)
            throw_invalid_argument("lengths",
                                   "lengths must be 1-D with one entry per spectrogram (" + std::to_string(B) + ")");
          for (py::ssize_t i = 0; i < lengths->size(); ++i) {
            const long long v = lengths->data()[i];
            if (v < 0)
              throw_invalid_argument("lengths",
                                     "lengths[" + std::to_string(i) + "]=" + std::to_string(v) + " is negative");
            lens.push_back(static_cast<std::size_t>(v));
          }
        }
        const Normalizer n({.method = method, .scope = parse_scope(scope), .axis = parse_axis(axis), .params = params},
                           stats);
        py::array_t<float> out(shape);
        std::copy(x.data(), x.data() + x.size(), out.mutable_data());
        {
          py::gil_scoped_release release;
          n.apply(BatchView{out.mutable_data(), B, F, T, lens});
        }
        return out;
      },
      py::arg("X"), py::arg("method"), py::arg("scope"), py::arg("axis"), py::arg("stats"), py::arg("lengths"),
      py::arg("params"));

  // Scope global's fitted maps: [groups, 8] = zero, shift1, scale1, clamp, lo, hi, shift2, scale2 (see
  // Normalizer::global_maps).
  m.def(
      "global_maps",
      [](const std::string& method, const std::string& axis, const Stats& stats, const MethodParams& params) {
        const Normalizer n({.method = method, .scope = Scope::kGlobal, .axis = parse_axis(axis), .params = params},
                           &stats);
        const auto maps = n.global_maps();
        py::array_t<double> out({maps.size(), std::size_t{8}});
        double* d = out.mutable_data();
        for (const auto& g : maps)
          for (double v : {double(g.zero), g.shift1, g.scale1, double(g.clamp), g.lo, g.hi, g.shift2, g.scale2})
            *d++ = v;
        return out;
      },
      py::arg("method"), py::arg("axis"), py::arg("stats"), py::arg("params"));

  m.def("methods", [] {
    py::list out;
    for (const auto& info : normalization_methods()) out.append(method_dict(info));
    return out;
  });
  // Any name the library knows, `none` included; unknown names are refused, listing the methods.
  m.def(
      "method", [](const std::string& name) { return method_dict(find_method(name)); }, py::arg("name"));
}

}  // namespace melnorm::python
