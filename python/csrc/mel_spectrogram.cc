#include <string>
#include <thread>
#include <variant>

#include "bindings.h"
#include "melnorm/error.h"
#include "melnorm/mel_spectrogram.h"

namespace melnorm::python {

namespace {

MelSpectrogramOptions options_from(double sr, int n_fft, int hop_length, int win_length, const std::string& window,
                                   bool center, const std::string& pad_mode, double power, int n_mels, double fmin,
                                   std::optional<double> fmax, bool htk, const std::string& norm) {
  MelSpectrogramOptions o;
  o.sample_rate = sr;
  o.stft = {.n_fft = n_fft, .hop_length = hop_length, .win_length = win_length, .window = parse_window(window),
            .center = center, .pad_mode = parse_pad_mode(pad_mode)};
  o.mel = {.n_mels = n_mels, .fmin = fmin, .fmax = fmax, .scale = htk ? MelScale::kHtk : MelScale::kSlaney,
           .norm = parse_mel_norm(norm)};
  o.power = power;
  o.db.enabled = false;  // librosa's melspectrogram is linear; dB is a separate call
  return o;
}

// [batch, samples] -> [batch, n_mels, frames] on n_threads threads, the GIL released.
py::array_t<float> compute_batch(const MelSpectrogram& mel, const FloatArray& y, int n_threads) {
  if (y.ndim() != 1 && y.ndim() != 2)
    throw_invalid_argument("y", "y must be 1-D [samples] or 2-D [batch, samples], got " + std::to_string(y.ndim()) + "-D");
  if (n_threads < 1) throw_invalid_argument("n_threads", "n_threads=" + std::to_string(n_threads) + " must be >= 1");
  const std::size_t batch = y.ndim() == 2 ? static_cast<std::size_t>(y.shape(0)) : 1;
  const std::size_t n = static_cast<std::size_t>(y.shape(y.ndim() - 1));
  const std::size_t frames = mel.n_frames(n), bands = static_cast<std::size_t>(mel.options().mel.n_mels);
  py::array_t<float> out = y.ndim() == 2 ? py::array_t<float>({batch, bands, frames}) : py::array_t<float>({bands, frames});
  const float* in = y.data();
  float* dst = out.mutable_data();
  py::gil_scoped_release release;
  const int threads = std::max(1, std::min<int>(n_threads, static_cast<int>(batch)));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  auto work = [&](int t) {
    try {
      for (std::size_t i = static_cast<std::size_t>(t); i < batch; i += static_cast<std::size_t>(threads)) {
        const Matrix s = mel.compute_linear({in + i * n, n});
        std::copy(s.data.begin(), s.data.end(), dst + i * bands * frames);
      }
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace

void define_mel_spectrogram(py::module_& m) {
  // The engine behind melnorm.MelSpectrogram: FFT plan and filterbank made once.
  py::class_<MelSpectrogram>(m, "MelSpectrogramCore")
      .def(py::init([](double sr, int n_fft, int hop_length, int win_length, const std::string& window, bool center,
                       const std::string& pad_mode, double power, int n_mels, double fmin, std::optional<double> fmax,
                       bool htk, const std::string& norm) {
             return MelSpectrogram(options_from(sr, n_fft, hop_length, win_length, window, center, pad_mode, power,
                                                n_mels, fmin, fmax, htk, norm));
           }),
           py::arg("sr"), py::arg("n_fft"), py::arg("hop_length"), py::arg("win_length"), py::arg("window"),
           py::arg("center"), py::arg("pad_mode"), py::arg("power"), py::arg("n_mels"), py::arg("fmin"),
           py::arg("fmax"), py::arg("htk"), py::arg("norm"))
      .def("n_frames", &MelSpectrogram::n_frames, py::arg("n_samples"))
      .def("compute", &compute_batch, py::arg("y"), py::arg("n_threads"));

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
