// melnorm.extract and the parts melnorm.dask drives (ExtractPlan, ExtractWorker,
// ExtractWriter). Options come as one dict of Python keywords, so that a plan
// can be rebuilt from the same dict on every worker of a cluster.
#include <cstring>

#include "bindings.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace melnorm::python {

namespace {

// The keywords of melnorm.extract are the rows of extract_schema() and
// pipeline_schema(): parsed by the library, as the CLI's flags are.
ExtractOptions options_from(const py::dict& d) {
  return resolve_extract_options(option_values_from(d, {&extract_schema(), &pipeline_schema()}));
}

py::dict summary_dict(const ExtractSummary& s) {
  return py::dict(py::arg("sources") = s.sources, py::arg("rows") = s.rows, py::arg("failed") = s.failed,
                  py::arg("resumed") = s.resumed, py::arg("audio_seconds") = s.audio_seconds,
                  py::arg("seconds") = s.seconds, py::arg("rewritten") = s.rewritten);
}

// A shard's summary between processes: counts, hash and manifest lines, never features.
py::tuple shard_state(const ShardSummary& s) {
  return py::make_tuple(s.shard, s.first_clip, s.clips, s.rows, s.ok_rows, s.failed, s.bytes, s.sha256,
                        py::bytes(s.manifest), s.audio_seconds);
}

ShardSummary shard_from(const py::tuple& t) {
  if (t.size() != 10) throw std::runtime_error("ShardSummary: bad pickle");
  return ShardSummary{.shard = t[0].cast<std::size_t>(),
                      .first_clip = t[1].cast<std::size_t>(),
                      .clips = t[2].cast<std::size_t>(),
                      .rows = t[3].cast<std::size_t>(),
                      .ok_rows = t[4].cast<std::size_t>(),
                      .failed = t[5].cast<std::size_t>(),
                      .bytes = t[6].cast<std::uintmax_t>(),
                      .sha256 = t[7].cast<std::string>(),
                      .manifest = t[8].cast<std::string>(),
                      .audio_seconds = t[9].cast<double>()};
}

void bind_shard_summary(py::module_& m) {
  py::class_<ShardSummary>(m, "ShardSummary")
      .def_readonly("shard", &ShardSummary::shard)
      .def_readonly("first_clip", &ShardSummary::first_clip)
      .def_readonly("clips", &ShardSummary::clips)
      .def_readonly("rows", &ShardSummary::rows)
      .def_readonly("ok_rows", &ShardSummary::ok_rows)
      .def_readonly("failed", &ShardSummary::failed)
      .def_readonly("bytes", &ShardSummary::bytes)
      .def_readonly("sha256", &ShardSummary::sha256)
      .def_readonly("audio_seconds", &ShardSummary::audio_seconds)
      .def(py::pickle(&shard_state, &shard_from));
}

// A float32 row in place (a packed OUTDIR's mapping), without a copy: ~19 -> 3.6 us
// a row in melnorm.torch.ExtractedDataset, as fast as np.memmap by hand
// (docs/performance.md). The array holds the mapping (its base), so it
// outlives the reader; it is read-only because the mapping is.
py::array read_only_view(FeaturesView v) {
  auto* owner = new std::shared_ptr<const void>(std::move(v.owner));
  py::capsule base(owner, [](void* p) { delete static_cast<std::shared_ptr<const void>*>(p); });
  py::array_t<float> a({v.n_mels, v.frames}, static_cast<const float*>(v.data), base);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
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

// melnorm.extract(options) -> the summary dict, the GIL released while it runs.
void bind_extract_function(py::module_& m) {
  m.def(
      "extract",
      [](const py::dict& options) {
        WarningsToPython w;
        const ExtractOptions o = options_from(options);
        ExtractSummary s;
        {
          py::gil_scoped_release release;
          s = extract_dataset(o);
        }
        return summary_dict(s);
      },
      py::arg("options"));
}

// The parts melnorm.dask drives on the workers: a plan, a worker's results (pickled
// between processes), the worker, and merge_tree for the fitted statistics.
void bind_extract_parts(py::module_& m) {
  py::class_<ExtractPlan>(m, "ExtractPlan")
      .def(py::init([](const py::dict& options) {
             WarningsToPython w;
             return ExtractPlan(options_from(options));
           }),
           py::arg("options"))
      .def("__len__", &ExtractPlan::size)
      .def("source_name", &ExtractPlan::source_name, py::arg("i"))
      .def("fit_chunks", &ExtractPlan::fit_chunks)
      .def_property_readonly("shard_count", &ExtractPlan::shard_count)
      .def_property_readonly("shard_size", [](const ExtractPlan& p) { return p.options().shard_size; })
      .def_property_readonly("jobs", [](const ExtractPlan& p) { return p.options().jobs; })
      .def_property_readonly("pipeline", &ExtractPlan::pipeline);

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
            WarningsToPython warnings;
            py::gil_scoped_release release;
            return w.process(source);
          },
          py::arg("source"))
      .def(
          "process_collecting",
          [](ExtractWorker& w, std::size_t source) {  // (result, warnings): for a worker that forwards them
            std::vector<std::string> messages;
            ExtractResult r;
            {
              py::gil_scoped_release release;
              std::mutex m;
              const ThreadWarningHandler collect([&](std::string_view text) {
                std::lock_guard lock(m);
                messages.emplace_back(text);
              });
              r = w.process(source);
            }
            return py::make_tuple(std::move(r), messages);
          },
          py::arg("source"))
      .def(
          "fit_collecting",
          [](ExtractWorker& w, const std::vector<std::size_t>& sources) {
            std::vector<std::string> messages;
            std::optional<Stats> stats;
            {
              py::gil_scoped_release release;
              std::mutex m;
              const ThreadWarningHandler collect([&](std::string_view text) {
                std::lock_guard lock(m);
                messages.emplace_back(text);
              });
              stats.emplace(w.fit(sources));
            }
            return py::make_tuple(std::move(*stats), messages);
          },
          py::arg("sources"))
      .def(
          "write_shard_collecting",
          [](ExtractWorker& w, std::size_t shard) {  // (summary, warnings): the worker writes the shard itself
            std::vector<std::string> messages;
            std::optional<ShardSummary> s;
            {
              py::gil_scoped_release release;
              std::mutex m;
              const ThreadWarningHandler collect([&](std::string_view text) {
                std::lock_guard lock(m);
                messages.emplace_back(text);
              });
              s.emplace(w.write_shard(shard));
            }
            return py::make_tuple(std::move(*s), messages);
          },
          py::arg("shard"))
      .def(
          "fit",
          [](ExtractWorker& w, const std::vector<std::size_t>& sources) {
            WarningsToPython warnings;
            py::gil_scoped_release release;
            return w.fit(sources);
          },
          py::arg("sources"));

  m.def("merge_tree", &merge_tree, py::arg("parts"));
}

// A finished OUTDIR, for melnorm.torch.ExtractedDataset (pickled as its path).
void bind_outdir_reader(py::module_& m) {
  py::class_<OutdirReader>(m, "OutdirReader")
      .def(py::init([](const std::string& out_dir) { return std::make_unique<OutdirReader>(out_dir); }),
           py::arg("out_dir"))
      .def_property_readonly("out_dir", [](const OutdirReader& r) { return r.out_dir().string(); })
      .def_property_readonly("format", &OutdirReader::format)
      .def_property_readonly("options_json", &OutdirReader::options_json)
      .def_property_readonly("pipeline_json",
                             [](const OutdirReader& r) { return Pipeline(r.pipeline_options()).to_json(); })
      .def_property_readonly("stats_path",
                             [](const OutdirReader& r) -> std::optional<std::string> {
                               const auto p = r.stats_path();
                               return p ? std::optional<std::string>(p->string()) : std::nullopt;
                             })
      .def_property_readonly("columns", &OutdirReader::columns)
      .def("__len__", &OutdirReader::size)
      .def("rows",
           [](const OutdirReader& r) {  // every manifest row as a dict, in input order
             py::list rows;
             py::list names = py::cast(r.columns());
             for (std::size_t i = 0; i < r.size(); ++i) {
               py::dict d;
               for (std::size_t c = 0; c < r.columns().size(); ++c) d[names[c]] = r.row(i)[c];
               rows.append(d);
             }
             return rows;
           })
      .def("ok", &OutdirReader::ok, py::arg("i"))
      .def(
          "features",
          [](const OutdirReader& r, std::size_t i) -> py::array {
            if (auto view = r.features_view(i); view && view->dtype == DType::kFloat32)
              return read_only_view(std::move(*view));
            Matrix row;
            {
              py::gil_scoped_release release;
              row = r.features(i);
            }
            py::array_t<float> a({row.rows, row.cols});
            std::copy(row.data.begin(), row.data.end(), a.mutable_data());
            return a;
          },
          py::arg("i"))
      .def(py::pickle([](const OutdirReader& r) { return py::make_tuple(r.out_dir().string()); },
                      [](const py::tuple& t) { return std::make_unique<OutdirReader>(t[0].cast<std::string>()); }));
}

// The one writer of an OUTDIR (melnorm.dask's driver): results in source order.
void bind_extract_writer(py::module_& m) {
  py::class_<ExtractWriter>(m, "ExtractWriter")
      .def(py::init([](const ExtractPlan& plan) {
             WarningsToPython w;
             return std::make_unique<ExtractWriter>(plan);
           }),
           py::arg("plan"))
      .def_property_readonly("next_source", &ExtractWriter::next_source)
      .def_property_readonly("resumed", &ExtractWriter::resumed)
      .def_property_readonly("needs_fit", &ExtractWriter::needs_fit)
      .def_property_readonly("stats",
                             [](const ExtractWriter& w) -> std::optional<Stats> {
                               return w.stats() ? std::optional<Stats>(*w.stats()) : std::nullopt;
                             })
      .def(
          "set_fitted_stats",
          [](ExtractWriter& w, Stats stats) {
            WarningsToPython warnings;
            w.set_fitted_stats(std::move(stats));
          },
          py::arg("stats"))
      .def(
          "write",
          [](ExtractWriter& w, std::size_t source, ExtractResult result) {
            WarningsToPython warnings;
            py::gil_scoped_release release;
            w.write(source, std::move(result));
          },
          py::arg("source"), py::arg("result"))
      .def(
          "write_shard",
          [](ExtractWriter& w, ShardSummary shard) {
            WarningsToPython warnings;
            py::gil_scoped_release release;
            w.write_shard(std::move(shard));
          },
          py::arg("shard"))
      .def("shards_to_redo", &ExtractWriter::shards_to_redo)
      .def(
          "rewrote_shard",
          [](ExtractWriter& w, const ShardSummary& shard) {
            WarningsToPython warnings;
            w.rewrote_shard(shard);
          },
          py::arg("shard"))
      .def("finish", [](ExtractWriter& w) {
        WarningsToPython warnings;
        return summary_dict(w.finish());
      });
}

}  // namespace

void define_extract(py::module_& m) {
  bind_extract_function(m);
  bind_shard_summary(m);
  bind_extract_parts(m);
  bind_outdir_reader(m);
  bind_extract_writer(m);
}

}  // namespace melnorm::python
