// melnorm.OnlineMelSpectrogram's core: streaming features, keywords converted
// through the option schema as melnorm.Pipeline's.
#include "melnorm/online_mel_spectrogram.h"
#include "bindings.h"
#include "melnorm/error.h"

namespace melnorm::python {

namespace {

py::array_t<float> frames_array(const Matrix& m) {
  py::array_t<float> out({m.rows, m.cols});
  std::copy(m.data.begin(), m.data.end(), out.mutable_data());
  return out;
}

OnlineOptions online_options(std::optional<std::size_t> window_frames, std::optional<int> sr) {
  return {.sample_rate = sr, .window_frames = window_frames};
}

}  // namespace

void define_online_mel_spectrogram(py::module_& m) {
  py::class_<OnlineMelSpectrogram>(m, "OnlineCore")
      .def(py::init([](const py::dict& options, std::optional<Stats> stats, std::optional<std::size_t> window_frames) {
             WarningsToPython w;
             const Pipeline p(resolve_pipeline_options(option_values_from(options, {&pipeline_schema()})),
                              std::move(stats));
             return OnlineMelSpectrogram(p, online_options(window_frames, std::nullopt));
           }),
           py::arg("options"), py::arg("stats") = py::none(), py::arg("window_frames") = py::none())
      .def_static(
          "from_pipeline",
          [](const Pipeline& p, std::optional<std::size_t> window_frames, std::optional<int> sr) {
            WarningsToPython w;
            return OnlineMelSpectrogram(p, online_options(window_frames, sr));
          },
          py::arg("pipeline"), py::arg("window_frames") = py::none(), py::arg("sr") = py::none())
      .def(
          "accept",
          [](OnlineMelSpectrogram& s, const py::array& y) {
            WarningsToPython w;
            const py::array_t<float> samples = waveform_array(y, "samples");
            if (samples.ndim() != 1)
              throw_invalid_argument("samples", "samples must be 1-D [samples] (mono at the stream's rate)");
            Matrix frames;
            {
              py::gil_scoped_release release;
              frames = s.accept(samples.data(), static_cast<std::size_t>(samples.size()));
            }
            return frames_array(frames);
          },
          py::arg("samples"))
      .def("finish",
           [](OnlineMelSpectrogram& s) {
             WarningsToPython w;
             return frames_array(s.finish());
           })
      .def("reset", &OnlineMelSpectrogram::reset)
      .def_property_readonly("pipeline", [](const OnlineMelSpectrogram& s) { return s.pipeline(); })
      .def_property_readonly("sample_rate", &OnlineMelSpectrogram::sample_rate)
      .def_property_readonly("n_mels", &OnlineMelSpectrogram::n_mels)
      .def_property_readonly("hop_length", &OnlineMelSpectrogram::hop_length)
      .def_property_readonly("lookahead_samples", &OnlineMelSpectrogram::lookahead_samples)
      .def_property_readonly("latency_samples", &OnlineMelSpectrogram::latency_samples)
      .def_property_readonly("samples_accepted", &OnlineMelSpectrogram::samples_accepted)
      .def_property_readonly("frames_emitted", &OnlineMelSpectrogram::frames_emitted)
      .def_property_readonly("finished", &OnlineMelSpectrogram::finished);
}

}  // namespace melnorm::python
