#include "augment_flags.h"

#include <optional>

#include "melnorm/error.h"

namespace melnorm::cli {
namespace {

// "none" (or "off") -> that stage off; otherwise parse(value).
template <typename T, typename Parse>
std::vector<T> dimension(const std::vector<std::string>& values, T off, Parse parse) {
  std::vector<T> out;
  for (const auto& v : values) out.push_back(v == "none" || v == "off" ? off : parse(v));
  return out;
}

int parse_bits(const std::string& v) {
  std::size_t used = 0;
  int b = 0;
  try {
    b = std::stoi(v, &used);
  } catch (const std::exception&) { used = 0; }
  if (used != v.size() || v.empty())
    throw_invalid_argument("bits", param_text("bits", v) + " must be PCM bits (8..24) or none");
  return b;
}

}  // namespace

void AugmentFlags::add_to(CLI::App& cmd, bool grid) {
  const std::string dim = grid ? "; a grid dimension: none,VALUE compares without and with" : "";
  auto* gain = cmd.add_option("--train-gain", gains,
                              "A uniform gain per clip (and epoch), MIN_DB:MAX_DB (e.g. -60:0) or one dB value" + dim);
  auto* b = cmd.add_option("--train-bits", bits, "Re-quantize after the gain to this many PCM bits (e.g. 16)" + dim);
  auto* noise = cmd.add_option("--train-noise", noises,
                               "Noise at a uniform SNR per clip (and epoch), SNR_MIN:SNR_MAX dB (e.g. 20:40)" + dim);
  if (grid)
    for (auto* o : {gain, b, noise}) o->delimiter(',');
  cmd.add_flag("--train-dither", dither, "TPDF dither (+-1 LSB) before --train-bits re-quantizes");
  cmd.add_option("--train-noise-color", noise_color, "white or pink")->capture_default_str();
}

std::vector<Augmentation> AugmentFlags::augmentations() const {
  if (gains.empty() && bits.empty() && noises.empty()) {
    if (dither)
      throw_invalid_argument("tpdf_dither", param_text("tpdf_dither") + " dithers the re-quantization: give " +
                                                param_text("bits") + " too");
    return {};
  }
  using Range = std::optional<DbRange>;
  const auto g =
      dimension<Range>(gains, std::nullopt, [](const std::string& v) { return parse_db_range(v, "gain_db"); });
  const auto n =
      dimension<Range>(noises, std::nullopt, [](const std::string& v) { return parse_db_range(v, "noise_snr_db"); });
  return augmentation_grid(g, dimension<int>(bits, 0, parse_bits), n, dither, parse_noise_color(noise_color));
}

}  // namespace melnorm::cli
