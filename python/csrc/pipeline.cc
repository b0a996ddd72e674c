// melnorm.Pipeline's core, the keyword conversion every binding shares, and
// library warnings as Python warnings.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>

#include "bindings.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "melnorm/npy.h"
#include "melnorm/pipeline.h"

namespace melnorm::python {

namespace {

std::mutex warnings_mutex;
std::vector<std::string> pending_warnings;

// A value json.dumps can write: numpy scalars as Python numbers, paths as text.
py::object plain(const py::handle& v) {
  if (py::hasattr(v, "item") && py::hasattr(v, "dtype")) return v.attr("item")();
  if (py::isinstance(v, py::module_::import("os").attr("PathLike"))) return py::str(v);
  return py::reinterpret_borrow<py::object>(v);
}

}  // namespace

OptionValues option_values_from(const py::dict& kwargs, const std::vector<const std::vector<OptionSpec>*>& schemas) {
  const py::object dumps = py::module_::import("json").attr("dumps");
  OptionValues out;
  for (const auto& [key, value] : kwargs) {
    const auto name = py::cast<std::string>(key);
    const OptionSpec* spec = &find_option(name, schemas, schemas.size() > 1 ? "extract option" : "option");
    std::string json;
    try {
      json = py::cast<std::string>(dumps(plain(value), py::arg("allow_nan") = false));
    } catch (const py::error_already_set&) {
      throw_invalid_argument(name, name + "=" + py::cast<std::string>(py::repr(value)) + " must be " + spec->allowed);
    }
    out[name] = option_text(*spec, json);
  }
  return out;
}

py::array_t<float> waveform_array(const py::array& y, const char* name) {
  const py::dtype dt = y.dtype();
  if (dt.kind() == 'f') return py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(y);
  if (dt.kind() == 'i' && dt.itemsize() == 2) {  // the CLI's .npy convention, exactly
    const auto a = py::array_t<std::int16_t, py::array::c_style | py::array::forcecast>::ensure(y);
    NpyArray n{.dtype = DType::kInt16, .shape = shape_of(a)};
    n.data.resize(static_cast<std::size_t>(a.nbytes()));
    std::memcpy(n.data.data(), a.data(), n.data.size());
    py::array_t<float> out(shape_of(a));
    const std::vector<float> f = n.to_float32(/*scale_int16=*/true);
    std::copy(f.begin(), f.end(), out.mutable_data());
    return out;
  }
  throw_invalid_argument(name, std::string(name) + " has dtype " +
                                   py::cast<std::string>(py::str(static_cast<const py::handle&>(dt))) +
                                   "; allowed: float32, float64, or int16 PCM (scaled by 1/32768 as the CLI does)");
}

namespace {

// "waveform 12: n_fft=..." -> ("n_fft=...", true): a batch's items warn alike; one warning says how many.
std::pair<std::string, bool> without_item(const std::string& m) {
  static const std::string prefix = "waveform ";
  if (m.rfind(prefix, 0) != 0) return {m, false};
  std::size_t i = prefix.size();
  while (i < m.size() && std::isdigit(static_cast<unsigned char>(m[i]))) ++i;
  if (i == prefix.size() || m.compare(i, 2, ": ") != 0) return {m, false};
  return {m.substr(i + 2), true};
}

// The caller's frame: the first one outside the melnorm package, so the
// warning points at the user's line whichever wrapper called the core.
int caller_stacklevel() {
  const py::object package_dir =
      py::module_::import("os").attr("path").attr("dirname")(py::module_::import("melnorm").attr("__file__"));
  const std::string dir = py::cast<std::string>(package_dir);
  int level = 1;
  py::object frame = py::module_::import("sys").attr("_getframe")(0);
  while (!frame.is_none() && py::cast<std::string>(frame.attr("f_code").attr("co_filename")).rfind(dir, 0) == 0) {
    frame = frame.attr("f_back");
    ++level;
  }
  return level;
}

}  // namespace

WarningsToPython::WarningsToPython() : sink_(std::make_shared<Sink>()), uncaught_(std::uncaught_exceptions()) {
  scope_.emplace([sink = sink_](std::string_view message) {
    std::lock_guard lock(sink->mutex);
    if (sink->messages.size() < 1000) sink->messages.emplace_back(message);
  });
}

WarningsToPython::~WarningsToPython() noexcept(false) {
  scope_.reset();
  std::vector<std::string> messages;
  {
    std::lock_guard lock(sink_->mutex);
    messages.swap(sink_->messages);
  }
  {
    std::lock_guard lock(warnings_mutex);  // from threads no call owned (rare): issued by the next call to finish
    messages.insert(messages.end(), pending_warnings.begin(), pending_warnings.end());
    pending_warnings.clear();
  }
  if (messages.empty()) return;
  std::vector<std::pair<std::string, std::size_t>> distinct;  // message, items of a batch that gave it
  for (const auto& m : messages) {
    const auto item = without_item(m);  // not a structured binding: lambdas capture these (clang 14)
    const std::string& text = item.first;
    const bool per_item = item.second;
    auto it =
        std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == (per_item ? text : m); });
    if (it == distinct.end()) distinct.emplace_back(per_item ? text : m, per_item ? 1 : 0);
    else if (per_item) ++it->second;
  }
  try {
    const int level = caller_stacklevel();
    const py::object warn = py::module_::import("warnings").attr("warn");
    for (const auto& [text, items] : distinct) {
      const std::string message =
          items ? text + " (" + std::to_string(items) + " item" + (items > 1 ? "s" : "") + " of the batch)" : text;
      warn(message, py::module_::import("builtins").attr("UserWarning"), level);
    }
  } catch (const py::error_already_set&) {  // -W error: the warning is the call's exception
    if (std::uncaught_exceptions() == uncaught_) throw;
  }
}

void install_warning_handler() {
  set_warning_handler([](std::string_view message) {
    std::lock_guard lock(warnings_mutex);
    if (pending_warnings.size() < 1000) pending_warnings.emplace_back(message);
  });
}

namespace {

// [batch, samples] -> [batch, rows, F, T] (rows: segments, 1 otherwise) on n_threads threads.
py::array_t<float> run_batch(const Pipeline& p, const py::array_t<float>& y, int sr, int n_threads,
                             const std::string& what) {
  if (y.ndim() != 2) throw_invalid_argument("y", "y must be [batch, samples]");
  if (n_threads < 1) throw_invalid_argument("n_threads", "n_threads=" + std::to_string(n_threads) + " must be >= 1");
  const std::size_t batch = static_cast<std::size_t>(y.shape(0)), n = static_cast<std::size_t>(y.shape(1));
  std::vector<std::vector<PipelineRow>> results(batch);
  const float* in = y.data();
  {
    py::gil_scoped_release release;
    const int threads = std::max(1, std::min<int>(n_threads, static_cast<int>(batch)));
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    const WarningHandler* warnings = ThreadWarningHandler::current();  // the call's: its threads warn there too
    auto work = [&](int t) {
      std::optional<ThreadWarningHandler> inherited;
      if (warnings && t > 0) inherited.emplace(*warnings);
      try {
        for (std::size_t i = static_cast<std::size_t>(t); i < batch; i += static_cast<std::size_t>(threads))
          results[i] = p.run({in + i * n, n}, sr, batch > 1 ? what + " " + std::to_string(i) : what);
      } catch (...) { errors[static_cast<std::size_t>(t)] = std::current_exception(); }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  const std::size_t rows = batch ? results[0].size() : p.n_rows(n, sr);
  const std::size_t F = batch ? results[0][0].features.rows : p.options().n_bins(sr);
  const std::size_t T = batch ? results[0][0].features.cols : 0;
  py::array_t<float> out({batch, rows, F, T});
  float* dst = out.mutable_data();
  for (const auto& item : results)
    for (const auto& r : item) dst = std::copy(r.features.data.begin(), r.features.data.end(), dst);
  return out;
}

}  // namespace

void define_pipeline(py::module_& m) {
  m.def(
      "options_schema",
      [](bool extract) {
        std::vector<OptionSpec> rows = pipeline_schema();
        if (extract) rows.insert(rows.begin(), extract_schema().begin(), extract_schema().end());
        return options_json(rows);
      },
      py::arg("extract") = false);
  m.def("options_markdown", &options_markdown);
  py::class_<Pipeline>(m, "PipelineCore")
      .def(py::init([](const py::dict& options, std::optional<Stats> stats) {
             WarningsToPython w;
             return Pipeline(resolve_pipeline_options(option_values_from(options, {&pipeline_schema()})),
                             std::move(stats));
           }),
           py::arg("options"), py::arg("stats") = py::none())
      .def_static("from_json",
                  [](const std::string& text, const std::string& origin, std::optional<Stats> stats) {
                    WarningsToPython w;
                    return Pipeline(Pipeline::options_from_json(text, origin), std::move(stats));
                  })
      .def("at_rate",
           [](const Pipeline& p, int rate) {
             return Pipeline(p.options().at_rate(rate), p.stats() ? std::optional<Stats>(*p.stats()) : std::nullopt);
           })
      .def("describe", &Pipeline::describe)
      .def("fingerprint", &Pipeline::fingerprint)
      .def("features_fingerprint", &Pipeline::features_fingerprint)
      .def("to_json", &Pipeline::to_json)
      .def_property_readonly("needs_stats", &Pipeline::needs_stats)
      .def_property_readonly(
          "stats", [](const Pipeline& p) { return p.stats() ? std::optional<Stats>(*p.stats()) : std::nullopt; })
      .def_property_readonly("sample_rate", [](const Pipeline& p) { return p.options().sample_rate; })
      .def_property_readonly("dtype", [](const Pipeline& p) { return to_string(p.options().dtype); })
      .def_property_readonly("segmented", [](const Pipeline& p) { return p.options().segment.has_value(); })
      .def(
          "windows",
          [](const Pipeline& p, std::size_t n, int rate, std::optional<double> segment, std::optional<double> hop,
             bool whole_only, bool pad_short) {
            std::vector<std::pair<std::size_t, std::size_t>> out;
            for (const ClipWindow& w : plan_windows(
                     p, n, rate, {.segment = segment, .hop = hop, .whole_only = whole_only, .pad_short = pad_short}))
              out.emplace_back(w.begin, w.length);
            return out;
          },
          py::arg("n"), py::arg("sr"), py::arg("segment") = py::none(), py::arg("hop") = py::none(),
          py::arg("whole_only") = false, py::arg("pad_short") = false)
      .def(
          "run",
          [](const Pipeline& p, const py::array& y, int sr, int n_threads, const std::string& what) {
            WarningsToPython w;
            return run_batch(p, waveform_array(y), sr, n_threads, what);
          },
          py::arg("y"), py::arg("sr"), py::arg("n_threads") = 1, py::arg("what") = "waveform")
      .def(
          "run_file",
          [](const Pipeline& p, const std::filesystem::path& path) {
            WarningsToPython w;
            std::vector<float> data;  // the rows one after the other: a long recording's segments as decoded
            std::size_t F = 0, T = 0, n = 0;
            {
              py::gil_scoped_release release;  // a long file streams (bounded memory), the same bytes
              p.for_each_file_row(path, true, [&](PipelineRow&& r) {
                F = r.features.rows, T = r.features.cols, ++n;
                if (data.empty()) data = std::move(r.features.data);
                else data.insert(data.end(), r.features.data.begin(), r.features.data.end());
              });
            }
            py::array_t<float> out({n, F, T});
            std::copy(data.begin(), data.end(), out.mutable_data());
            return out;
          },
          py::arg("path"))
      .def(
          "load",
          [](const Pipeline& p, const std::filesystem::path& path) {
            WarningsToPython w;
            Audio a;
            {
              py::gil_scoped_release release;
              a = p.load(path);
            }
            py::array_t<float> y(a.samples.size());
            std::copy(a.samples.begin(), a.samples.end(), y.mutable_data());
            return py::make_tuple(y, a.sample_rate);
          },
          py::arg("path"));
}

}  // namespace melnorm::python
