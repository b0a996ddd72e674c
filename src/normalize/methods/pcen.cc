// normalize=pcen: melnorm::Pcen (src/normalize/pcen.cc) as a registered method.
#include "melnorm/pcen.h"
#include "normalize/method.h"

namespace melnorm::detail {
namespace {

class PcenStream final : public MethodStream {
 public:
  PcenStream(const PcenOptions& options, std::size_t bands) : pcen_(options, bands) {}
  void process(float* data, std::size_t frames, std::size_t stride) override { pcen_.process(data, frames, stride); }

 private:
  Pcen pcen_;
};

class PcenMethod final : public Method {
 public:
  explicit PcenMethod(const Params& p)
      : options_{.sr = p("sr"),
                 .hop_length = static_cast<int>(p("hop_length")),
                 .gain = p("gain"),
                 .bias = p("bias"),
                 .power = p("power"),
                 .time_constant = p("time_constant"),
                 .eps = p("eps"),
                 .input_scale = p("input_scale")} {
    options_.validate();
  }
  // Each spectrogram starts from librosa's initial state.
  void apply(float* item, std::size_t bands, std::size_t frames, std::size_t stride) const override {
    Pcen(options_, bands).process(item, frames, stride);
  }
  std::unique_ptr<MethodStream> stream(std::size_t bands) const override {
    return std::make_unique<PcenStream>(options_, bands);
  }

 private:
  PcenOptions options_;
};

std::unique_ptr<Method> make_pcen(const Params& p) { return std::make_unique<PcenMethod>(p); }

}  // namespace

MethodEntry pcen_method() {
  return {
      .info = {.name = "pcen",
               .description = "per-channel energy normalization (librosa.pcen), on a magnitude mel spectrogram",
               .params = {{"gain", 0.98, 0, 100, "alpha: exponent of the smoothed energy divided out"},
                          {"bias", 2, 0, 1e12, "delta: added before compression"},
                          {"power", 0.5, 1e-12, 100, "r: compression exponent"},
                          {"time_constant", 0.4, 1e-12, 1e6, "smoothing time constant, seconds"},
                          {"eps", 1e-6, 1e-300, 1, "floor of the smoothed energy"},
                          {"input_scale", 1, 1e-300, 1e300, "input multiplier (2**31 for magnitudes of [-1, 1] audio)",
                           ParamSource::kDefault, 2147483648.0},
                          {"sr", 22050, 1e-12, 1e9, "sample rate of the audio, Hz", ParamSource::kSampleRate},
                          {"hop_length", 512, 1, 1e9, "hop of the spectrogram, samples", ParamSource::kHopLength}},
               .supports_global = false,
               .kind = MethodKind::kFilter,
               .input = MethodInput::kLinearMagnitude,
               .unit = "PCEN",
               .range = ">= 0"},
      .make = make_pcen};
}

}  // namespace melnorm::detail
