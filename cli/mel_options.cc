#include "mel_options.h"

#include <map>

#include "melnorm/error.h"

namespace melnorm::cli {

void MelFlags::add_to(CLI::App& app) {
  auto* g = &app;
  g->add_option("--preset", preset, "Defaults to start from: librosa (n_fft 2048, hop 512, slaney) or "
                                    "torchaudio (n_fft 400, hop 200, htk, reflect)")
      ->capture_default_str();
  g->add_option("--sr", sr, "Sample rate, Hz: required for a .npy waveform (its rate); for an audio file, "
                            "resample to this rate (libsoxr HQ)");
  g->add_option("--n-fft", n_fft, "FFT size, samples");
  g->add_option("--hop", hop, "Hop length, samples");
  g->add_option("--win-length", win_length, "Window length, samples (<= n_fft; default n_fft)");
  g->add_option("--window", window, "hann | hamming | blackman | rect (periodic)");
  g->add_flag_callback("--center", [this] { center = true; }, "Centre frames on t * hop (pad n_fft/2 at both ends)");
  g->add_flag_callback("--no-center", [this] { center = false; }, "Frame t starts at t * hop (no padding)");
  g->add_option("--pad-mode", pad_mode, "Centre padding: constant (zeros) | reflect");
  g->add_option("--n-mels", n_mels, "Number of mel bands");
  g->add_option("--fmin", fmin, "Lowest mel band edge, Hz");
  g->add_option("--fmax", fmax, "Highest mel band edge, Hz (default sr/2)");
  g->add_option("--mel-scale", mel_scale, "slaney | htk");
  g->add_option("--mel-norm", mel_norm, "slaney | none");
  g->add_option("--power", power, "1 (magnitude) | 2 (power)");
  g->add_option("--db", db, "dB conversion: off (linear) | ref1 (ref=1.0) | max (ref=max, peak at 0 dB) | pP (ref=P-th percentile, e.g. p99.5: robust to clicks); default max");
  g->add_option("--db-floor", db_floor, "absolute (amin, librosa) | relative (amin x ref: gain-invariant with --db max)");
  g->add_option("--fft-precision", fft_precision,
                "auto (single where --top-db <= 80 hides its rounding: < 0.01 dB, ~1.4x faster FFT) | double | single");
  g->add_option("--top-db", top_db, "Floor at this many dB below the peak, or none; default 80");
  g->add_flag("--pcen", pcen, "PCEN (librosa.pcen) instead of dB, on the magnitude (power 1) mel spectrogram");
  g->add_option("--pcen-gain", pcen_gain, "PCEN gain (alpha), default 0.98");
  g->add_option("--pcen-bias", pcen_bias, "PCEN bias (delta), default 2");
  g->add_option("--pcen-power", pcen_power, "PCEN power (r), default 0.5");
  g->add_option("--pcen-time-constant", pcen_time_constant, "PCEN smoothing time constant, seconds, default 0.4");
  g->add_option("--pcen-eps", pcen_eps, "PCEN floor, default 1e-6");
  g->add_option("--pcen-input-scale", pcen_input_scale,
                "Multiply the mel magnitudes first; default 2**31, librosa's advice for [-1, 1] audio");
  g->add_option("--amin", amin, "dB floor in the spectrogram's units (default 1e-10 for power, 1e-5 for magnitude)");
}

MelSpectrogramOptions MelFlags::resolve(double sample_rate) const {
  MelSpectrogramOptions o = preset_options(parse_preset(preset), sample_rate);
  if (n_fft) o.stft.n_fft = *n_fft;
  if (hop) o.stft.hop_length = *hop;
  if (win_length) {
    if (*win_length <= 0)
      throw_invalid_argument("win_length", "win_length=" + std::to_string(*win_length) + " must be a positive integer");
    o.stft.win_length = *win_length;
  }
  if (window) o.stft.window = parse_window(*window);
  if (center) o.stft.center = *center;
  if (pad_mode) o.stft.pad_mode = parse_pad_mode(*pad_mode);
  if (n_mels) o.mel.n_mels = *n_mels;
  if (fmin) o.mel.fmin = *fmin;
  if (fmax) o.mel.fmax = *fmax;
  if (mel_scale) o.mel.scale = parse_mel_scale(*mel_scale);
  if (mel_norm) o.mel.norm = parse_mel_norm(*mel_norm);
  if (power) o.power = *power;
  if (db) parse_db_ref(*db, o.db);
  if (top_db) {
    if (*top_db == "none") o.db.top_db.reset();
    else {
      try {
        std::size_t used = 0;
        o.db.top_db = std::stod(*top_db, &used);
        if (used != top_db->size()) throw std::invalid_argument("trailing text");
      } catch (const std::exception&) {
        throw_invalid_argument("top_db", "top_db='" + *top_db + "' must be a number of dB or 'none'");
      }
    }
  }
  if (amin) o.db.amin = *amin;
  if (db_floor) o.db.floor = parse_db_floor(*db_floor);
  if (fft_precision) o.fft_precision = parse_fft_precision(*fft_precision);
  if (pcen) {
    if (power && *power != 1.0)
      throw_invalid_argument("power", "--pcen works on the magnitude mel spectrogram: use --power 1 (or leave it out)");
    if (db) throw_invalid_argument("db", "--db and --pcen are alternatives: PCEN replaces the dB conversion");
    o.power = 1.0;
    o.db.enabled = false;
  } else if (pcen_gain || pcen_bias || pcen_power || pcen_time_constant || pcen_eps || pcen_input_scale) {
    throw_invalid_argument("pcen", "--pcen-* options need --pcen");
  }
  o.validate();
  return o;
}

std::optional<PcenOptions> MelFlags::resolve_pcen(const MelSpectrogramOptions& mel) const {
  if (!pcen) return std::nullopt;
  PcenOptions p{.sr = mel.sample_rate, .hop_length = mel.stft.hop_length, .input_scale = 2147483648.0};
  if (pcen_gain) p.gain = *pcen_gain;
  if (pcen_bias) p.bias = *pcen_bias;
  if (pcen_power) p.power = *pcen_power;
  if (pcen_time_constant) p.time_constant = *pcen_time_constant;
  if (pcen_eps) p.eps = *pcen_eps;
  if (pcen_input_scale) p.input_scale = *pcen_input_scale;
  p.validate();
  return p;
}

MethodParams parse_method_params(const std::vector<std::string>& items) {
  MethodParams params;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw_invalid_argument("param", "--param '" + item + "' must look like NAME=VALUE (e.g. ddof=1)");
    const std::string name = item.substr(0, eq), text = item.substr(eq + 1);
    try {
      std::size_t used = 0;
      params[name] = std::stod(text, &used);
      if (used != text.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw_invalid_argument("param", "--param " + name + "='" + text + "' must be a number");
    }
  }
  return params;
}

std::string flag_for_param(const std::string& param) {
  static const std::map<std::string, std::string> flags = {
      {"preset", "--preset"},       {"sr", "--sr"},           {"n_fft", "--n-fft"},
      {"hop_length", "--hop"},      {"win_length", "--win-length"}, {"window", "--window"},
      {"pad_mode", "--pad-mode"},   {"n_mels", "--n-mels"},   {"fmin", "--fmin"},
      {"fmax", "--fmax"},           {"mel_scale", "--mel-scale"}, {"norm", "--mel-norm"},
      {"power", "--power"},         {"db", "--db"},           {"top_db", "--top-db"},
      {"amin", "--amin"}, {"db_floor", "--db-floor"},           {"ref", "--db"},         {"method", "--method"},
      {"scope", "--scope"},         {"axis", "--axis"},       {"stats", "--stats"},
      {"lengths", "--lengths"},     {"pcen", "--pcen"},       {"gain", "--pcen-gain"},
      {"bias", "--pcen-bias"},      {"time_constant", "--pcen-time-constant"}, {"eps", "--pcen-eps"},
      {"input_scale", "--pcen-input-scale"}, {"segment", "--segment"}, {"segment_hop", "--segment-hop"},
      {"pad_to", "--pad-to"},       {"format", "--format"},   {"dtype", "--dtype"},
      {"jobs", "--jobs"},           {"labels", "--labels"},   {"input", "INPUT"},
      {"out_dir", "-o"},            {"normalize", "--normalize"}, {"db_refs", "--db-refs"},
      {"db_floors", "--db-floors"}, {"eval_bits", "--eval-bits"}, {"fft_precision", "--fft-precision"},
      {"train_click", "--train-click"},
  };
  const auto it = flags.find(param);
  return it == flags.end() ? std::string() : it->second;
}

}  // namespace melnorm::cli
