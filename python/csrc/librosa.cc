// The C++ parts of melnorm's librosa-signature functions (python/melnorm/_librosa.py):
// the complex STFT, the dense mel filterbank, PCEN with librosa's b, power=0 and
// a separate smoothing reference, and load with offset/duration.
#include <complex>

#include "bindings.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/mel_filterbank.h"
#include "melnorm/pcen.h"
#include "melnorm/stft.h"

namespace melnorm::python {

namespace {
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// y [batch, n] (float64) -> complex128 [batch, n_bins, n_frames]
void bind_stft(py::module_& m) {
  m.def(
      "stft",
      [](DoubleArray y, int n_fft, int hop_length, int win_length, const std::string& window, bool center,
         const std::string& pad_mode) {
        WarningsToPython w;
        if (y.ndim() != 2) throw_invalid_argument("y", "y must be [batch, samples]");
        StftOptions o{.n_fft = n_fft,
                      .hop_length = hop_length,
                      .win_length = win_length,
                      .window = parse_window(window),
                      .center = center,
                      .pad_mode = parse_pad_mode(pad_mode)};
        o.validate();
        const std::size_t batch = static_cast<std::size_t>(y.shape(0)), n = static_cast<std::size_t>(y.shape(1));
        const std::size_t T = o.n_frames(n), F = static_cast<std::size_t>(o.n_bins());
        py::array_t<std::complex<double>> out({batch, F, T});
        std::complex<double>* dst = out.mutable_data();
        const double* src = y.data();
        {
          py::gil_scoped_release release;
          for (std::size_t b = 0; b < batch; ++b) {
            const auto D = stft({src + b * n, n}, o);
            std::copy(D.begin(), D.end(), dst + b * F * T);
          }
        }
        return out;
      },
      py::arg("y"), py::arg("n_fft"), py::arg("hop_length"), py::arg("win_length"), py::arg("window"),
      py::arg("center"), py::arg("pad_mode"));
}

// The dense [n_mels, n_bins] filterbank, float32.
void bind_mel_filters(py::module_& m) {
  m.def(
      "mel_filters",
      [](double sr, int n_fft, int n_mels, double fmin, std::optional<double> fmax, const std::string& scale,
         const std::string& norm) {
        WarningsToPython w;
        MelOptions o{.n_mels = n_mels,
                     .fmin = fmin,
                     .fmax = fmax,
                     .scale = parse_mel_scale(scale, "htk"),
                     .norm = parse_filter_norm(norm)};
        const MelFilterbank fb(sr, n_fft, o);
        py::array_t<float> out({static_cast<std::size_t>(fb.n_mels()), static_cast<std::size_t>(fb.n_bins())});
        const std::vector<float> dense = fb.dense();
        std::copy(dense.begin(), dense.end(), out.mutable_data());
        return out;
      },
      py::arg("sr"), py::arg("n_fft"), py::arg("n_mels"), py::arg("fmin"), py::arg("fmax"), py::arg("scale"),
      py::arg("norm"));
}

// S [F, T] along T; ref (optional, [F, T]) feeds the smoothing; zi [F] -> (out, zf [F]).
void bind_pcen_ref(py::module_& m) {
  m.def(
      "pcen_ref",
      [](FloatArray s, std::optional<FloatArray> ref, double sr, int hop_length, double gain, double bias, double power,
         double time_constant, double eps, std::optional<double> b, std::optional<std::vector<double>> zi) {
        WarningsToPython w;
        if (s.ndim() != 2)
          throw_invalid_argument("S", "S must be [bands, frames], got a " + std::to_string(s.ndim()) + "-D array");
        const std::size_t F = static_cast<std::size_t>(s.shape(0)), T = static_cast<std::size_t>(s.shape(1));
        if (ref && (ref->ndim() != 2 || static_cast<std::size_t>(ref->shape(0)) != F ||
                    static_cast<std::size_t>(ref->shape(1)) != T))
          throw_invalid_argument("ref", "ref must have S's shape");
        Pcen p({.sr = sr,
                .hop_length = hop_length,
                .gain = gain,
                .bias = bias,
                .power = power,
                .time_constant = time_constant,
                .eps = eps,
                .b = b},
               F);
        if (zi) p.set_state(*zi);
        py::array_t<float> out({F, T});
        std::copy(s.data(), s.data() + s.size(), out.mutable_data());
        {
          py::gil_scoped_release release;
          p.process(out.mutable_data(), ref ? ref->data() : nullptr, T, T, T);
        }
        return py::make_tuple(out, p.state());
      },
      py::arg("S"), py::arg("ref"), py::arg("sr"), py::arg("hop_length"), py::arg("gain"), py::arg("bias"),
      py::arg("power"), py::arg("time_constant"), py::arg("eps"), py::arg("b"), py::arg("zi"));
}

// The file's samples from offset for duration seconds -> (y [frames] or [channels, frames], sr).
void bind_load_window(py::module_& m) {
  m.def(
      "load_window",
      [](const std::filesystem::path& path, std::optional<int> sr, bool mono, double offset,
         std::optional<double> duration) {
        WarningsToPython w;
        Audio a;
        {
          py::gil_scoped_release release;
          a = load_audio(path, {.sample_rate = sr, .mono = mono, .offset = offset, .duration = duration});
        }
        const auto frames = static_cast<py::ssize_t>(a.frames());
        py::array_t<float> y = mono ? py::array_t<float>(std::vector<py::ssize_t>{frames})
                                    : py::array_t<float>(std::vector<py::ssize_t>{a.channels, frames});
        std::copy(a.samples.begin(), a.samples.end(), y.mutable_data());
        return py::make_tuple(y, a.sample_rate);
      },
      py::arg("path"), py::arg("sr"), py::arg("mono"), py::arg("offset"), py::arg("duration"));
}

}  // namespace

void define_librosa(py::module_& m) {
  bind_stft(m);
  bind_mel_filters(m);
  bind_pcen_ref(m);
  bind_load_window(m);
}

}  // namespace melnorm::python
