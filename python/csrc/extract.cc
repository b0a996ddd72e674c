// melnorm.extract and the parts melnorm.dask drives (ExtractPlan, ExtractWorker,
// ExtractWriter). Options come as one dict of Python keywords, so that a plan
// can be rebuilt from the same dict on every worker of a cluster.
#include <cstring>
#include <set>

#include "bindings.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace melnorm::python {

namespace {

// The keywords of melnorm.extract, with the CLI's defaults (see cli/extract_command.cc).
const std::set<std::string>& option_names() {
  static const std::set<std::string> names = {
      "input", "out_dir", "labels", "preset", "sr", "n_fft", "hop_length", "win_length", "window", "center",
      "pad_mode", "n_mels", "fmin", "fmax", "htk", "norm", "power", "db", "top_db", "amin", "db_floor", "fft_precision", "normalize", "scope",
      "axis", "params", "stats", "fit_stats", "segment", "segment_hop", "pad_to", "format", "dtype", "jobs"};
  return names;
}

// The value of `key` as T, or nullopt when absent or None; a value of the
// wrong type names the option and what it should be.
template <class T>
std::optional<T> value_of(const py::dict& d, const char* key, const char* expected) {
  if (!d.contains(key) || d[key].is_none()) return std::nullopt;
  try {
    return py::cast<T>(d[key]);
  } catch (const py::cast_error&) {
    throw_invalid_argument(key, std::string(key) + "=" + py::cast<std::string>(py::repr(d[key])) + " must be " + expected);
  }
}

ExtractOptions options_from(const py::dict& d) {
  for (const auto& [key, value] : d) {
    const auto name = py::cast<std::string>(key);
    if (!option_names().count(name)) {
      std::string allowed;
      for (const auto& n : option_names()) allowed += (allowed.empty() ? "" : ", ") + n;
      throw_invalid_argument(name, "unknown extract option '" + name + "'; allowed: " + allowed);
    }
  }
  auto get = [&](const char* key) -> std::optional<py::object> {
    if (!d.contains(key) || d[key].is_none()) return std::nullopt;
    return py::reinterpret_borrow<py::object>(d[key]);
  };
  auto str = [&](const char* key, const std::string& fallback) {
    const auto v = get(key);
    return v ? py::cast<std::string>(py::str(*v)) : fallback;
  };
  auto integer = [&](const char* key) { return value_of<int>(d, key, "an integer"); };
  auto number = [&](const char* key) { return value_of<double>(d, key, "a number"); };
  auto flag = [&](const char* key) { return value_of<bool>(d, key, "True or False"); };
  ExtractOptions o;
  if (!get("input") || !get("out_dir")) throw_invalid_argument("input", "extract needs input and out_dir");
  o.input = str("input", "");
  o.out_dir = str("out_dir", "");
  if (auto v = get("labels")) o.labels = py::cast<std::string>(py::str(*v));
  if (auto v = integer("sr")) o.sample_rate = *v;
  // Without sr each clip keeps its own rate: resolve with a placeholder rate, as the CLI does.
  MelSpectrogramOptions& m = o.mel;
  m = preset_options(parse_preset(str("preset", "librosa")), o.sample_rate ? *o.sample_rate : 1e9);
  if (auto v = integer("n_fft")) m.stft.n_fft = *v;
  if (auto v = integer("hop_length")) m.stft.hop_length = *v;
  if (auto v = integer("win_length")) m.stft.win_length = *v;
  if (get("window")) m.stft.window = parse_window(str("window", ""));
  if (auto v = flag("center")) m.stft.center = *v;
  if (get("pad_mode")) m.stft.pad_mode = parse_pad_mode(str("pad_mode", ""));
  if (auto v = integer("n_mels")) m.mel.n_mels = *v;
  if (auto v = number("fmin")) m.mel.fmin = *v;
  if (auto v = number("fmax")) m.mel.fmax = *v;
  if (auto v = flag("htk")) m.mel.scale = *v ? MelScale::kHtk : MelScale::kSlaney;
  if (d.contains("norm")) m.mel.norm = d["norm"].is_none() ? MelNorm::kNone : parse_mel_norm(str("norm", ""));
  if (auto v = number("power")) m.power = *v;
  parse_db_ref(str("db", "max"), m.db);
  if (d.contains("top_db")) m.db.top_db = number("top_db");
  if (auto v = number("amin")) m.db.amin = *v;
  if (get("db_floor")) m.db.floor = parse_db_floor(str("db_floor", ""));
  if (get("fft_precision")) m.fft_precision = parse_fft_precision(str("fft_precision", ""));
  m.validate();
  if (get("normalize")) {
    NormalizeOptions n{.method = str("normalize", ""), .scope = parse_scope(str("scope", "local")),
                       .axis = parse_axis(str("axis", "all"))};
    if (auto p = value_of<MethodParams>(d, "params", "a dict of parameter names to numbers")) n.params = *p;
    o.normalize = std::move(n);
  } else if (get("scope") || get("axis") || get("params")) {
    throw_invalid_argument("normalize", "scope, axis and params need normalize=METHOD");
  }
  if (auto v = get("stats")) o.stats = py::cast<std::string>(py::str(*v));
  if (auto v = flag("fit_stats")) o.fit_stats = *v;
  if (auto v = number("segment")) o.segment = *v;
  if (auto v = number("segment_hop")) o.segment_hop = *v;
  if (auto v = number("pad_to")) o.pad_to = *v;
  const std::string format = str("format", "npy");
  if (format == "npy") o.format = OutputFormat::kNpy;
  else if (format == "packed") o.format = OutputFormat::kPacked;
  else throw_invalid_argument("format", "format='" + format + "' is not supported; allowed: npy, packed");
  const std::string dtype = str("dtype", "float32");
  if (dtype == "float32") o.dtype = DType::kFloat32;
  else if (dtype == "float16") o.dtype = DType::kFloat16;
  else throw_invalid_argument("dtype", "dtype='" + dtype + "' is not supported; allowed: float32, float16");
  if (auto v = integer("jobs")) o.jobs = *v;
  return o;
}

py::dict summary_dict(const ExtractSummary& s) {
  return py::dict(py::arg("sources") = s.sources, py::arg("rows") = s.rows, py::arg("failed") = s.failed,
                  py::arg("resumed") = s.resumed, py::arg("audio_seconds") = s.audio_seconds,
                  py::arg("seconds") = s.seconds);
}

// ExtractResult travels between processes as (audio_seconds, [(offset, n_frames, error, features, encoded)]).
py::tuple result_state(const ExtractResult& r) {
  py::list rows;
  for (const ExtractRow& row : r.rows) {
    py::object features = py::none();
    if (!row.features.data.empty()) {
      py::array_t<float> a({row.features.rows, row.features.cols});
      std::copy(row.features.data.begin(), row.features.data.end(), a.mutable_data());
      features = a;
    }
    rows.append(py::make_tuple(row.offset, row.n_frames, row.error, features,
                               py::bytes(reinterpret_cast<const char*>(row.encoded.data()), row.encoded.size())));
  }
  return py::make_tuple(r.audio_seconds, rows);
}

ExtractResult result_from(const py::tuple& t) {
  if (t.size() != 2) throw_invalid_argument("state", "not an ExtractResult state");
  ExtractResult r;
  r.audio_seconds = t[0].cast<double>();
  for (const auto& item : t[1].cast<py::list>()) {
    const auto f = item.cast<py::tuple>();
    ExtractRow row;
    row.offset = f[0].cast<double>();
    row.n_frames = f[1].cast<std::size_t>();
    row.error = f[2].cast<std::string>();
    if (!f[3].is_none()) {
      const auto a = f[3].cast<FloatArray>();
      row.features = Matrix(static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1)));
      std::copy(a.data(), a.data() + a.size(), row.features.data.begin());
    }
    const std::string encoded = f[4].cast<std::string>();
    row.encoded.resize(encoded.size());
    std::memcpy(row.encoded.data(), encoded.data(), encoded.size());
    r.rows.push_back(std::move(row));
  }
  return r;
}

}  // namespace

void define_extract(py::module_& m) {
  m.def(
      "extract",
      [](const py::dict& options) {
        const ExtractOptions o = options_from(options);
        ExtractSummary s;
        {
          py::gil_scoped_release release;
          s = extract_dataset(o);
        }
        return summary_dict(s);
      },
      py::arg("options"));

  py::class_<ExtractPlan>(m, "ExtractPlan")
      .def(py::init([](const py::dict& options) { return ExtractPlan(options_from(options)); }), py::arg("options"))
      .def("__len__", &ExtractPlan::size)
      .def("source_name", &ExtractPlan::source_name, py::arg("i"))
      .def("fit_chunks", &ExtractPlan::fit_chunks)
      .def_property_readonly("jobs", [](const ExtractPlan& p) { return p.options().jobs; });

  py::class_<ExtractResult>(m, "ExtractResult")
      .def_property_readonly("n_rows", [](const ExtractResult& r) { return r.rows.size(); })
      .def_property_readonly("audio_seconds", [](const ExtractResult& r) { return r.audio_seconds; })
      .def(py::pickle(&result_state, &result_from));

  py::class_<ExtractWorker>(m, "ExtractWorker")
      .def(py::init<const ExtractPlan&, const Stats*>(), py::arg("plan"), py::arg("stats") = py::none(),
           py::keep_alive<1, 3>())
      .def(
          "process",
          [](ExtractWorker& w, std::size_t source) {
            py::gil_scoped_release release;
            return w.process(source);
          },
          py::arg("source"))
      .def(
          "fit",
          [](ExtractWorker& w, const std::vector<std::size_t>& sources) {
            py::gil_scoped_release release;
            return w.fit(sources);
          },
          py::arg("sources"));

  m.def("merge_tree", &merge_tree, py::arg("parts"));

  py::class_<ExtractWriter>(m, "ExtractWriter")
      .def(py::init<const ExtractPlan&>(), py::arg("plan"))
      .def_property_readonly("next_source", &ExtractWriter::next_source)
      .def_property_readonly("resumed", &ExtractWriter::resumed)
      .def_property_readonly("needs_fit", &ExtractWriter::needs_fit)
      .def_property_readonly("stats", [](const ExtractWriter& w) -> std::optional<Stats> {
        return w.stats() ? std::optional<Stats>(*w.stats()) : std::nullopt;
      })
      .def("set_fitted_stats", &ExtractWriter::set_fitted_stats, py::arg("stats"))
      .def(
          "write",
          [](ExtractWriter& w, std::size_t source, ExtractResult result) {
            py::gil_scoped_release release;
            w.write(source, std::move(result));
          },
          py::arg("source"), py::arg("result"))
      .def("finish", [](ExtractWriter& w) { return summary_dict(w.finish()); });
}

}  // namespace melnorm::python
