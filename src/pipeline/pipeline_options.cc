// The feature-option table: each row is declared once, with the code that
// reads its value into PipelineOptions and writes it back as text.
#include "melnorm/pipeline_options.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <functional>
#include <sstream>

#include "core/format.h"
#include "core/names.h"
#include "melnorm/error.h"
#include "melnorm/presets.h"

namespace melnorm {

using detail::num;

namespace {

// Exact text of a double: the shortest that reads back to the same bits.
std::string exact(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string quoted(std::string_view name, std::string_view text) {
  return std::string(name) + "='" + std::string(text) + "'";
}

double parse_number(std::string_view name, std::string_view text, std::string_view allowed) {
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(v))
    throw_invalid_argument(std::string(name), quoted(name, text) + " must be " + std::string(allowed));
  return v;
}

long long parse_integer(std::string_view name, std::string_view text, std::string_view allowed) {
  long long v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size())
    throw_invalid_argument(std::string(name), quoted(name, text) + " must be " + std::string(allowed));
  return v;
}

int positive_int(std::string_view name, std::string_view text) {
  const long long v = parse_integer(name, text, "a positive integer");
  if (v <= 0 || v > 1 << 30)
    throw_invalid_argument(std::string(name),
                           std::string(name) + "=" + std::string(text) + " must be a positive integer");
  return static_cast<int>(v);
}

bool parse_bool(std::string_view name, std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw_invalid_argument(std::string(name), quoted(name, text) + " must be true or false");
}

std::optional<double> seconds_or_none(std::string_view name, std::string_view text) {
  if (text == "none") return std::nullopt;
  const double v = parse_number(name, text, "a positive number of seconds or none");
  if (!(v > 0))
    throw_invalid_argument(std::string(name),
                           std::string(name) + "=" + std::string(text) + " must be a positive number of seconds");
  return v;
}

std::string seconds_text(const std::optional<double>& v) { return v ? exact(*v) : "none"; }

}  // namespace

Frontend parse_frontend(std::string_view name) {
  if (name == "stft") return Frontend::kStft;
  if (name == "kaldi_fbank") return Frontend::kKaldiFbank;
  if (name == "kaldi_mfcc") return Frontend::kKaldiMfcc;
  if (name == "kaldi_spectrogram") return Frontend::kKaldiSpectrogram;
  throw_invalid_argument(
      "frontend",
      quoted("frontend", name) + " is not supported; allowed: stft, kaldi_fbank, kaldi_mfcc, kaldi_spectrogram");
}

std::string to_string(Frontend frontend) {
  static const char* names[] = {"stft", "kaldi_fbank", "kaldi_mfcc", "kaldi_spectrogram"};
  return names[static_cast<int>(frontend)];
}

namespace {

// Whether an option means anything for this front end.
bool applies(const OptionSpec& spec, Frontend frontend) {
  if (spec.frontends.empty()) return true;
  const std::string name = to_string(frontend);
  std::stringstream words(spec.frontends);
  for (std::string w; words >> w;)
    if (w == name) return true;
  return false;
}

}  // namespace

MethodParams parse_method_params(std::string_view text) {
  MethodParams params;
  std::stringstream in{std::string(text)};
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw_invalid_argument("params", "params item '" + item + "' must look like NAME=VALUE (e.g. ddof=1)");
    const std::string key = item.substr(0, eq);
    params[key] = parse_number("params", item.substr(eq + 1), "a number (params " + key + ")");
  }
  return params;
}

namespace {

std::string params_text(const MethodParams& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : ",") + k + "=" + exact(v);
  return out;
}

NormalizeOptions& normalization(PipelineOptions& o, std::string_view name) {
  if (!o.normalize) throw_invalid_argument(std::string(name), std::string(name) + " needs normalize=METHOD");
  return *o.normalize;
}

using Setter = std::function<void(PipelineOptions&, std::string_view)>;
using Getter = std::function<std::string(const PipelineOptions&)>;

struct Row {
  OptionSpec spec;
  Setter set;  // empty for aliases
  Getter get;  // empty for aliases
  // An alias (a bool): the value it gives its target when true, when false.
  std::pair<std::string_view, std::string_view> alias_values;
};

std::string dtype_name(DType d) { return to_string(d); }

std::string preset_names() {
  std::string names;
  for (const PresetInfo& p : presets()) names += (names.empty() ? "" : " | ") + p.name;
  return names;
}

double positive_number(std::string_view name, std::string_view text) {
  const double v = parse_number(name, text, "a positive number");
  if (!(v > 0)) throw_invalid_argument(std::string(name), std::string(name) + "=" + std::string(text) + " must be > 0");
  return v;
}

// The decoded clip: preset (its values come first), rate, and how it is cut into rows.
std::vector<Row> clip_rows() {
  using K = OptionKind;
  using S = OptionStage;
  return {
      {{"preset", "--preset", K::kChoice, S::kSpectrogram, "", preset_names(), "librosa",
        "the recipe to start from (`melnorm presets`): librosa, torchaudio, or a pretrained model's exact input",
        false},
       [](PipelineOptions& o, std::string_view t) { o.preset = find_preset(t).name; },
       [](const PipelineOptions& o) { return o.preset; }},
      {{"sr", "--sr", K::kInteger, S::kDecode, "Hz", "integer >= 1 | native | none (native) | shared",
        "shared: the rate the clips share",
        "resample every clip to this rate (libsoxr HQ); native: each clip keeps its own (per-file output only)", true},
       [](PipelineOptions& o, std::string_view t) {
         o.sample_rate.reset();
         if (t == "native" || t == "none") o.rate_policy = PipelineOptions::RatePolicy::kNative;
         else if (t == "shared") o.rate_policy = PipelineOptions::RatePolicy::kShared;
         else {
           const long long v = parse_integer("sr", t, "a sample rate in Hz (a positive integer) or native");
           if (v <= 0 || v > 10'000'000)
             throw_invalid_argument("sr", "sr=" + std::string(t) + " must be a positive sample rate in Hz");
           o.sample_rate = static_cast<int>(v), o.rate_policy = PipelineOptions::RatePolicy::kFixed;
         }
       },
       [](const PipelineOptions& o) {
         if (o.sample_rate) return num(*o.sample_rate);
         return std::string(o.rate_policy == PipelineOptions::RatePolicy::kNative ? "native" : "shared");
       }},
      {{"pad_to", "--pad-to", K::kNumber, S::kCut, "s", "> 0 | none", "none",
        "pad (zeros) or crop every clip to this length", true},
       [](PipelineOptions& o, std::string_view t) { o.pad_to = seconds_or_none("pad_to", t); },
       [](const PipelineOptions& o) { return seconds_text(o.pad_to); }},
      {{"segment", "--segment", K::kNumber, S::kCut, "s", "> 0 | none", "none",
        "cut clips into segments of this length, one row each (a shorter clip is one zero-padded segment)", true},
       [](PipelineOptions& o, std::string_view t) { o.segment = seconds_or_none("segment", t); },
       [](const PipelineOptions& o) { return seconds_text(o.segment); }},
      {{"segment_hop", "--segment-hop", K::kNumber, S::kCut, "s", "> 0 | none", "segment",
        "time between segment starts", true},
       [](PipelineOptions& o, std::string_view t) { o.segment_hop = seconds_or_none("segment_hop", t); },
       [](const PipelineOptions& o) { return o.segment ? exact(o.segment_hop.value_or(*o.segment)) : "none"; }},
      {{"waveform_scale", "--waveform-scale", K::kNumber, S::kCut, "", "> 0", "1",
        "multiply the waveform by this before the front end (BEATs: 32768, Kaldi's 16-bit scale)", true},
       [](PipelineOptions& o, std::string_view t) { o.waveform_scale = positive_number("waveform_scale", t); },
       [](const PipelineOptions& o) { return exact(o.waveform_scale); }},
      {{"frontend", "--frontend", K::kChoice, S::kSpectrogram, "",
        "stft | kaldi_fbank | kaldi_mfcc | kaldi_spectrogram", "stft",
        "the spectrogram: melnorm's STFT + mel filterbank (librosa, torchaudio) or Kaldi's fbank, MFCC, spectrogram",
        true},
       [](PipelineOptions& o, std::string_view t) { o.frontend = parse_frontend(t); },
       [](const PipelineOptions& o) { return to_string(o.frontend); }},
  };
}

// Kaldi's front end (melnorm/kaldi.h): torchaudio.compliance.kaldi's keywords, defaults and meanings.
template <class T>
Row kaldi_row(OptionSpec spec, T KaldiOptions::*field) {
  spec.stage = OptionStage::kSpectrogram;
  spec.changes_output = true;
  if (spec.frontends.empty()) spec.frontends = "kaldi_fbank kaldi_mfcc kaldi_spectrogram";
  const std::string name = spec.name, allowed = spec.allowed;
  Setter set = [name, allowed, field](PipelineOptions& o, std::string_view t) {
    if constexpr (std::is_same_v<T, bool>) o.kaldi.*field = parse_bool(name, t);
    else if constexpr (std::is_same_v<T, int>) o.kaldi.*field = positive_int(name, t);
    else if constexpr (std::is_same_v<T, std::uint64_t>) {
      const long long v = parse_integer(name, t, allowed);
      if (v < 0) throw_invalid_argument(name, name + "=" + std::string(t) + " must be " + allowed);
      o.kaldi.*field = static_cast<std::uint64_t>(v);
    } else o.kaldi.*field = parse_number(name, t, allowed);
  };
  Getter get = [field](const PipelineOptions& o) {
    if constexpr (std::is_same_v<T, bool>) return std::string(o.kaldi.*field ? "true" : "false");
    else if constexpr (std::is_same_v<T, double>) return exact(o.kaldi.*field);
    else return num(o.kaldi.*field);
  };
  return {std::move(spec), std::move(set), std::move(get)};
}

OptionSpec kaldi_spec(const char* name, OptionKind kind, const char* unit, const char* allowed, const char* def,
                      const char* doc, const char* frontends = "") {
  std::string flag = std::string("--") + name;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return {name, flag, kind, OptionStage::kSpectrogram, unit, allowed, def, doc, true, "", frontends};
}

std::vector<Row> kaldi_framing_rows() {
  using K = OptionKind;
  return {
      kaldi_row(kaldi_spec("frame_length", K::kNumber, "ms", "> 0", "25", "frame length"), &KaldiOptions::frame_length),
      kaldi_row(kaldi_spec("frame_shift", K::kNumber, "ms", "> 0", "10", "time between frames"),
                &KaldiOptions::frame_shift),
      kaldi_row(kaldi_spec("snip_edges", K::kBool, "", "true | false", "true",
                           "true: only frames that fit in the clip; false: frames centred every frame_shift, ends "
                           "reflected"),
                &KaldiOptions::snip_edges),
      kaldi_row(kaldi_spec("round_to_power_of_two", K::kBool, "", "true | false", "true",
                           "zero-pad each frame to the next power of two for the FFT"),
                &KaldiOptions::round_to_power_of_two),
      kaldi_row(kaldi_spec("remove_dc_offset", K::kBool, "", "true | false", "true", "subtract each frame's mean"),
                &KaldiOptions::remove_dc_offset),
      kaldi_row(kaldi_spec("preemphasis_coefficient", K::kNumber, "", "[0, 1]", "0.97",
                           "pre-emphasis: x[n] - c x[n-1] within each frame"),
                &KaldiOptions::preemphasis_coefficient),
      {{"window_type", "--window-type", K::kChoice, OptionStage::kSpectrogram, "",
        "povey | hanning | hamming | blackman | rectangular", "povey",
        "Kaldi's window (symmetric; povey is hann ** 0.85)", true, "", "kaldi_fbank kaldi_mfcc kaldi_spectrogram"},
       [](PipelineOptions& o, std::string_view t) { o.kaldi.window_type = parse_kaldi_window(t); },
       [](const PipelineOptions& o) { return to_string(o.kaldi.window_type); }},
      kaldi_row(kaldi_spec("blackman_coeff", K::kNumber, "", "a number", "0.42", "the blackman window's coefficient"),
                &KaldiOptions::blackman_coeff),
      kaldi_row(kaldi_spec("dither", K::kNumber, "", ">= 0", "0",
                           "Gaussian noise of this standard deviation added to every frame (seeded by dither_seed)"),
                &KaldiOptions::dither),
      kaldi_row(kaldi_spec("dither_seed", K::kInteger, "", "integer >= 0", "0",
                           "the dither's seed: the same clip and seed give the same bytes in every front end"),
                &KaldiOptions::dither_seed),
      kaldi_row(kaldi_spec("energy_floor", K::kNumber, "", ">= 0", "1", "floor of the energy (0: none)"),
                &KaldiOptions::energy_floor),
      kaldi_row(kaldi_spec("raw_energy", K::kBool, "", "true | false", "true",
                           "the energy before pre-emphasis and windowing"),
                &KaldiOptions::raw_energy),
  };
}

std::vector<Row> kaldi_bank_rows() {
  using K = OptionKind;
  const char* banks = "kaldi_fbank kaldi_mfcc";
  return {
      kaldi_row(kaldi_spec("use_energy", K::kBool, "", "true | false", "false",
                           "add the log energy (fbank: a column; MFCC: as C0)", banks),
                &KaldiOptions::use_energy),
      kaldi_row(kaldi_spec("htk_compat", K::kBool, "", "true | false", "false",
                           "the energy (MFCC: C0) goes last instead of first", banks),
                &KaldiOptions::htk_compat),
      kaldi_row(kaldi_spec("num_mel_bins", K::kInteger, "", "integer >= 4", "23", "number of mel bins", banks),
                &KaldiOptions::num_mel_bins),
      kaldi_row(kaldi_spec("low_freq", K::kNumber, "Hz", ">= 0, < high_freq", "20", "lowest mel bin edge", banks),
                &KaldiOptions::low_freq),
      kaldi_row(kaldi_spec("high_freq", K::kNumber, "Hz", "<= sr/2; <= 0: an offset from sr/2", "0",
                           "highest mel bin edge", banks),
                &KaldiOptions::high_freq),
      kaldi_row(kaldi_spec("vtln_warp", K::kNumber, "", "1", "1", "vocal tract length warping (only 1: none)", banks),
                &KaldiOptions::vtln_warp),
      kaldi_row(kaldi_spec("use_log_fbank", K::kBool, "", "true | false", "true",
                           "log of the mel energies (floored at float epsilon)", "kaldi_fbank"),
                &KaldiOptions::use_log_fbank),
      kaldi_row(kaldi_spec("use_power", K::kBool, "", "true | false", "true", "power (true) or magnitude spectrum",
                           "kaldi_fbank"),
                &KaldiOptions::use_power),
      kaldi_row(kaldi_spec("subtract_mean", K::kBool, "", "true | false", "false",
                           "subtract each bin's mean over the clip's frames"),
                &KaldiOptions::subtract_mean),
      kaldi_row(kaldi_spec("num_ceps", K::kInteger, "", "1 .. num_mel_bins", "13", "number of cepstra", "kaldi_mfcc"),
                &KaldiOptions::num_ceps),
      kaldi_row(
          kaldi_spec("cepstral_lifter", K::kNumber, "", "a number (0: off)", "22", "cepstral liftering", "kaldi_mfcc"),
          &KaldiOptions::cepstral_lifter),
  };
}

// Framing and the FFT.
std::vector<Row> stft_rows() {
  using K = OptionKind;
  using S = OptionStage;
  return {
      {{"n_fft", "--n-fft", K::kInteger, S::kSpectrogram, "samples", "integer >= 2", "2048 (librosa), 400 (torchaudio)",
        "FFT size", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.stft.n_fft = positive_int("n_fft", t); },
       [](const PipelineOptions& o) { return num(o.mel.stft.n_fft); }},
      {{"win_length", "--win-length", K::kInteger, S::kSpectrogram, "samples", "1 .. n_fft | none", "n_fft",
        "window length; a shorter window is zero-padded at the centre of the frame", true},
       [](PipelineOptions& o, std::string_view t) {
         o.mel.stft.win_length = t == "none" ? 0 : positive_int("win_length", t);
       },
       [](const PipelineOptions& o) { return num(o.mel.stft.effective_win_length()); }},
      {{"hop_length", "--hop", K::kInteger, S::kSpectrogram, "samples", "integer >= 1 | none",
        "win_length // 4 (librosa), win_length // 2 (torchaudio)", "samples between successive frames", true},
       [](PipelineOptions& o, std::string_view t) {
         o.mel.stft.hop_length = t == "none" ? 0 : positive_int("hop_length", t);
       },
       [](const PipelineOptions& o) { return num(o.mel.stft.hop_length); }},
      {{"window", "--window", K::kChoice, S::kSpectrogram, "", "hann | hamming | blackman | rect", "hann",
        "analysis window (periodic)", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.stft.window = parse_window(t); },
       [](const PipelineOptions& o) { return to_string(o.mel.stft.window); }},
      {{"center", "--center", K::kBool, S::kSpectrogram, "", "true | false", "true",
        "centre frame t on sample t * hop_length (pad n_fft // 2 at both ends); --no-center: frame t starts there",
        true},
       [](PipelineOptions& o, std::string_view t) { o.mel.stft.center = parse_bool("center", t); },
       [](const PipelineOptions& o) { return std::string(o.mel.stft.center ? "true" : "false"); }},
      {{"pad_mode", "--pad-mode", K::kChoice, S::kSpectrogram, "", "constant | reflect",
        "constant (librosa), reflect (torchaudio)", "how the centre padding is filled", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.stft.pad_mode = parse_pad_mode(t); },
       [](const PipelineOptions& o) { return to_string(o.mel.stft.pad_mode); }},
      {{"power", "--power", K::kNumber, S::kSpectrogram, "", "1 | 2", "2",
        "exponent of the magnitude: 1 magnitude, 2 power", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.power = parse_number("power", t, "1 or 2"); },
       [](const PipelineOptions& o) { return exact(o.mel.power); }},
      {{"fft_precision", "--fft-precision", K::kChoice, S::kSpectrogram, "", "auto | double | single", "auto",
        "auto: single where the dB floor (top_db <= 80) hides its rounding (< 0.01 dB), double otherwise", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.fft_precision = parse_fft_precision(t); },
       [](const PipelineOptions& o) { return to_string(o.mel.fft_precision); }},
  };
}

// The mel filterbank.
std::vector<Row> mel_rows() {
  using K = OptionKind;
  using S = OptionStage;
  return {
      {{"n_mels", "--n-mels", K::kInteger, S::kSpectrogram, "", "integer >= 1", "128", "number of mel bands", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.mel.n_mels = positive_int("n_mels", t); },
       [](const PipelineOptions& o) { return num(o.mel.mel.n_mels); }},
      {{"fmin", "--fmin", K::kNumber, S::kSpectrogram, "Hz", ">= 0, < fmax", "0", "lowest mel band edge", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.mel.fmin = parse_number("fmin", t, "a frequency in Hz"); },
       [](const PipelineOptions& o) { return exact(o.mel.mel.fmin); }},
      {{"fmax", "--fmax", K::kNumber, S::kSpectrogram, "Hz", "<= sr/2 | none", "sr/2", "highest mel band edge", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t == "none") o.mel.mel.fmax.reset();
         else o.mel.mel.fmax = parse_number("fmax", t, "a frequency in Hz or none (sr/2)");
       },
       [](const PipelineOptions& o) {
         if (o.mel.mel.fmax) return exact(*o.mel.mel.fmax);
         return o.sample_rate ? exact(*o.sample_rate / 2.0) : std::string("none");
       }},
      {{"mel_scale", "--mel-scale", K::kChoice, S::kSpectrogram, "", "slaney | htk",
        "slaney (librosa), htk (torchaudio)", "mel scale of the band edges", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.mel.scale = parse_mel_scale(t); },
       [](const PipelineOptions& o) { return to_string(o.mel.mel.scale); }},
      {{"htk", "--htk", K::kBool, S::kSpectrogram, "", "true | false", "false", "librosa's name: true is mel_scale=htk",
        true, "mel_scale"},
       {},
       {},
       {"htk", "slaney"}},
      {{"norm", "--mel-norm", K::kChoice, S::kSpectrogram, "", "slaney | none", "slaney (librosa), none (torchaudio)",
        "filter normalization: slaney divides each triangle by its width (constant energy per band)", true},
       [](PipelineOptions& o, std::string_view t) { o.mel.mel.norm = parse_filter_norm(t); },
       [](const PipelineOptions& o) { return to_string(o.mel.mel.norm); }},
  };
}

// The frame count, after the spectrogram and before normalization.
std::vector<Row> frame_rows() {
  return {
      {{"target_frames", "--target-frames", OptionKind::kInteger, OptionStage::kSpectrogram, "frames",
        "integer >= 1 | none", "none",
        "pad (zeros, before normalizing, as AST does) or trim the features to this many frames", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t == "none") o.target_frames.reset();
         else o.target_frames = positive_int("target_frames", t);
       },
       [](const PipelineOptions& o) { return o.target_frames ? num(*o.target_frames) : std::string("none"); }},
  };
}

// The dB conversion (per clip).
std::vector<Row> db_rows() {
  using K = OptionKind;
  using S = OptionStage;
  return {
      {{"db", "--db", K::kChoice, S::kDb, "", "off | none (off) | ref1 | max | pP (e.g. p99.5)", "max",
        "dB reference: off (linear), ref1 (ref=1.0), max (each clip's peak at 0 dB), pP (its P-th percentile)", true},
       [](PipelineOptions& o, std::string_view t) { parse_db_ref(t == "none" ? "off" : t, o.mel.db); },
       [](const PipelineOptions& o) { return db_ref_name(o.mel.db); }},
      {{"top_db", "--top-db", K::kNumber, S::kDb, "dB", ">= 0 | none", "80",
        "floor at this many dB below the peak; none: no floor", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t == "none") o.mel.db.top_db.reset();
         else o.mel.db.top_db = parse_number("top_db", t, "a number of dB or none");
       },
       [](const PipelineOptions& o) { return o.mel.db.top_db ? exact(*o.mel.db.top_db) : "none"; }},
      {{"amin", "--amin", K::kNumber, S::kDb, "", "> 0 | none", "1e-10 (power), 1e-5 (magnitude)",
        "dB floor in the spectrogram's units", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t == "none") o.mel.db.amin.reset();
         else o.mel.db.amin = parse_number("amin", t, "a positive number or none");
       },
       [](const PipelineOptions& o) { return exact(o.mel.db.amin.value_or(o.mel.power == 2.0 ? 1e-10 : 1e-5)); }},
      {{"db_floor", "--db-floor", K::kChoice, S::kDb, "", "absolute | relative | noise | noise_percentile", "absolute",
        "the power's floor: amin (librosa), amin x ref (gain-invariant with db=max), or the clip's noise "
        "(per band: its quietest frames' mean; or a percentile of all values), never below amin x ref",
        true},
       [](PipelineOptions& o, std::string_view t) { o.mel.db.floor = parse_db_floor(t); },
       [](const PipelineOptions& o) { return to_string(o.mel.db.floor); }},
      {{"db_floor_percentile", "--db-floor-percentile", K::kNumber, S::kDb, "%", "(0, 100)", "20",
        "noise floors: the share of quietest frames (noise), or the percentile of all values (noise_percentile)", true},
       [](PipelineOptions& o, std::string_view t) {
         o.mel.db.floor_percentile = parse_number("db_floor_percentile", t, "a percentage in (0, 100)");
       },
       [](const PipelineOptions& o) { return exact(o.mel.db.floor_percentile); }},
  };
}

// Normalization, and the dtype written.
std::vector<Row> normalization_rows() {
  using K = OptionKind;
  using S = OptionStage;
  return {
      {{"normalize", "--normalize", K::kChoice, S::kNormalize, "", "none | a method of `melnorm methods`", "none",
        "normalization method", true},
       [](PipelineOptions& o, std::string_view t) {
         const MethodInfo& method = t.empty() ? no_normalization() : find_method(t, "normalize");
         if (method.kind == MethodKind::kIdentity)
           o.normalize.reset();  // none: kept unset, as records and fingerprints read it
         else o.normalize = NormalizeOptions{.method = method.name};
       },
       [](const PipelineOptions& o) { return o.normalize ? o.normalize->method : no_normalization().name; }},
      {{"pcen", "--pcen", K::kBool, S::kNormalize, "", "true | false", "false", "true is normalize=pcen", true,
        "normalize"},
       {},
       {},
       {"pcen", "none"}},
      {{"scope", "--scope", K::kChoice, S::kNormalize, "", "local | global | fixed", "local",
        "statistics of each spectrogram, fitted on the training set, or given (fixed: mean and std)", true},
       [](PipelineOptions& o, std::string_view t) { normalization(o, "scope").scope = parse_scope(t); },
       [](const PipelineOptions& o) { return o.normalize ? to_string(o.normalize->scope) : "none"; }},
      {{"axis", "--axis", K::kChoice, S::kNormalize, "", "all | band | frame", "all",
        "one set of statistics per spectrogram, per mel band, or per frame", true},
       [](PipelineOptions& o, std::string_view t) { normalization(o, "axis").axis = parse_axis(t); },
       [](const PipelineOptions& o) { return o.normalize ? to_string(o.normalize->axis) : "none"; }},
      {{"mean", "--mean", K::kNumber, S::kNormalize, "", "a number | none", "none",
        "scope fixed: the mean to subtract (AST: AudioSet's -4.2677393)", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t != "none") normalization(o, "mean").fixed_mean = parse_number("mean", t, "a number");
       },
       [](const PipelineOptions& o) {
         return o.normalize && o.normalize->fixed_mean ? exact(*o.normalize->fixed_mean) : std::string("none");
       }},
      {{"std", "--std", K::kNumber, S::kNormalize, "", "> 0 | none", "none",
        "scope fixed: the divisor (AST: 2 x AudioSet's std 4.5689974 = 9.1379948)", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t != "none") normalization(o, "std").fixed_std = positive_number("std", t);
       },
       [](const PipelineOptions& o) {
         return o.normalize && o.normalize->fixed_std ? exact(*o.normalize->fixed_std) : std::string("none");
       }},
      {{"params", "--param", K::kText, S::kNormalize, "", "NAME=VALUE[,NAME=VALUE...]", "the method's defaults",
        "method parameters (see `melnorm methods`)", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t.empty() || t == "none") return;
         normalization(o, "params").params = parse_method_params(t);
       },
       [](const PipelineOptions& o) { return o.normalize ? params_text(o.normalize->params) : ""; }},
      {{"dtype", "--dtype", K::kChoice, S::kOutput, "", "float32 | float16", "float32", "dtype of the written features",
        true},
       [](PipelineOptions& o, std::string_view t) {
         if (t == "float32") o.dtype = DType::kFloat32;
         else if (t == "float16") o.dtype = DType::kFloat16;
         else throw_invalid_argument("dtype", quoted("dtype", t) + " is not supported; allowed: float32, float16");
       },
       [](const PipelineOptions& o) { return dtype_name(o.dtype); }},
      {{"layout", "--layout", K::kChoice, S::kOutput, "", "bins_first | time_first", "bins_first",
        "the array's orientation: [bins, frames] (librosa's) or [frames, bins] (Kaldi's, AST's)", true},
       [](PipelineOptions& o, std::string_view t) {
         if (t == "bins_first") o.layout = Layout::kBinsFirst;
         else if (t == "time_first") o.layout = Layout::kTimeFirst;
         else
           throw_invalid_argument("layout", quoted("layout", t) + " is not supported; allowed: bins_first, time_first");
       },
       [](const PipelineOptions& o) {
         return std::string(o.layout == Layout::kBinsFirst ? "bins_first" : "time_first");
       }},
  };
}

// The table, in pipeline order: later rows may read earlier ones.
const std::vector<Row>& rows() {
  static const std::vector<Row> table = [] {
    std::vector<Row> all;
    for (auto part : {clip_rows(), kaldi_framing_rows(), kaldi_bank_rows(), stft_rows(), mel_rows(), frame_rows(),
                      db_rows(), normalization_rows()})
      all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    for (Row& r : all) {
      if (r.spec.stage == OptionStage::kDb ||
          (r.spec.frontends.empty() && r.spec.stage == OptionStage::kSpectrogram && r.spec.name != "frontend" &&
           r.spec.name != "preset" && r.spec.name != "target_frames"))
        r.spec.frontends = "stft";
      if (!r.get || r.spec.frontends.empty()) continue;
      // Another front end's option reads as none (records and fingerprints leave it out).
      r.get = [get = std::move(r.get), spec = r.spec](const PipelineOptions& o) {
        return applies(spec, o.frontend) ? get(o) : std::string("none");
      };
    }
    return all;
  }();
  return table;
}

const Row& row(std::string_view name) {
  for (const Row& r : rows())
    if (r.spec.name == name) return r;
  std::vector<std::string> names;
  for (const Row& r : rows()) names.push_back(r.spec.name);
  throw_invalid_argument(std::string(name), detail::unknown_name_message("option", name, names));
}

// The preset's values, as text, before explicit options. An explicit
// method replaces the preset's whole normalization (its scope, statistics, parameters).
OptionValues preset_values(const PresetInfo& preset, const OptionValues& given) {
  OptionValues v = preset.values;
  if (given.count("normalize"))
    for (const char* k : {"scope", "axis", "params", "mean", "std"}) v.erase(k);
  return v;
}

// What a method and a front end need of the other options: PCEN the linear
// magnitude mel spectrogram, Kaldi's front end no dB step (its log is its own).
OptionValues implied_values(const PipelineOptions& o) {
  OptionValues v;
  if (o.normalize && find_method(o.normalize->method).input == MethodInput::kLinearMagnitude) {
    if (o.kaldi_frontend())
      throw_invalid_argument("normalize", "normalize=" + o.normalize->method +
                                              " works on the stft front end's linear magnitude mel spectrogram; "
                                              "this pipeline's frontend is " +
                                              to_string(o.frontend));
    v = {{"power", "1"}, {"db", "off"}};
  }
  if (o.kaldi_frontend()) v["db"] = "off";
  return v;
}

// An option given explicitly for another front end is refused, not ignored.
void refuse_other_frontend(const OptionValues& given, const PipelineOptions& o) {
  for (const auto& [name, text] : given) {
    const OptionSpec& spec = row(name).spec;
    if (text == "none" || (name == "db" && text == "off") || applies(spec, o.frontend)) continue;
    const std::string preset = o.preset == "librosa" ? "" : " (preset " + o.preset + ")";
    const std::string hint = o.kaldi_frontend()
                                 ? "; Kaldi's frames are frame_length and frame_shift (ms), its bins num_mel_bins"
                                 : "; it needs frontend=" + spec.frontends.substr(0, spec.frontends.find(' '));
    throw_invalid_argument(name, name + "=" + text + " is an option of the " + spec.frontends +
                                     " front end; this pipeline's frontend is " + to_string(o.frontend) + preset +
                                     hint);
  }
}

// Aliases written as their target ("htk" -> "mel_scale"), refusing a contradiction.
OptionValues expand_aliases(const OptionValues& given) {
  OptionValues out;
  for (const auto& [name, text] : given) {
    const Row& r = row(name);
    if (r.spec.alias_of.empty()) continue;
    const std::string value(parse_bool(name, text) ? r.alias_values.first : r.alias_values.second);
    const auto it = given.find(r.spec.alias_of);
    if (it != given.end() && it->second != value)
      throw_invalid_argument(name, name + "=" + text + " contradicts " + r.spec.alias_of + "=" + it->second);
    out[r.spec.alias_of] = value;
  }
  for (const auto& [name, text] : given)
    if (row(name).spec.alias_of.empty()) out[name] = text;
  return out;
}

}  // namespace

std::string to_string(OptionKind kind) {
  switch (kind) {
    case OptionKind::kInteger: return "integer";
    case OptionKind::kNumber: return "number";
    case OptionKind::kBool: return "bool";
    case OptionKind::kChoice: return "choice";
    case OptionKind::kText: return "text";
  }
  return "?";
}

std::string to_string(OptionStage stage) {
  static const char* names[] = {"decode", "cut", "spectrogram", "db", "normalize", "output"};
  return names[static_cast<int>(stage)];
}

const std::vector<OptionSpec>& pipeline_schema() {
  static const std::vector<OptionSpec> specs = [] {
    std::vector<OptionSpec> s;
    for (const Row& r : rows()) s.push_back(r.spec);
    return s;
  }();
  return specs;
}

const OptionSpec& find_option(std::string_view name) { return row(name).spec; }

const OptionSpec& find_option(std::string_view name, const std::vector<const std::vector<OptionSpec>*>& schemas,
                              std::string_view what) {
  std::vector<std::string> names;
  for (const auto* schema : schemas)
    for (const OptionSpec& s : *schema) {
      if (s.name == name) return s;
      names.push_back(s.name);
    }
  throw_invalid_argument(std::string(name), detail::unknown_name_message(what, name, names));
}

PipelineOptions resolve_pipeline_options(const OptionValues& given_raw) {
  OptionValues without_none;  // "none" where an option has no none: not given (Python's None default)
  for (const auto& [name, text] : given_raw)
    if (text != "none" || row(name).spec.allowed.find("none") != std::string::npos) without_none[name] = text;
  const OptionValues given = expand_aliases(without_none);
  PipelineOptions o;
  if (const auto it = given.find("preset"); it != given.end()) row("preset").set(o, it->second);
  const PresetInfo& preset = find_preset(o.preset);
  OptionValues values = preset_values(preset, given);
  for (const auto& [name, value] : given) values[name] = value;
  // The method and the front end first: what they imply sits between the preset and explicit options.
  for (const char* name : {"frontend", "normalize"})
    if (const auto it = values.find(name); it != values.end()) row(name).set(o, it->second);
  const OptionValues implied = implied_values(o);
  for (const auto& [name, value] : implied) {
    const auto it = given.find(name);
    if (it == given.end() || it->second == value || it->second == "none" ||
        (name == "power" && parse_number(name, it->second, "1 or 2") == 1.0))
      continue;
    const std::string why = o.kaldi_frontend()
                                ? "frontend=" + to_string(o.frontend) + " takes its own log"
                                : "normalize=" + o.normalize->method + ", which needs " + name + "=" + value + " (" +
                                      o.normalize->method + " works on the linear magnitude mel spectrogram)";
    throw_invalid_argument(name, name + "=" + it->second + " contradicts " + why);
  }
  refuse_other_frontend(given, o);
  for (const auto& [name, value] : implied)
    if (!given.count(name) || given.at(name) == "none") values[name] = value;
  for (const Row& r : rows()) {
    if (!r.set || r.spec.name == "preset") continue;
    if (const auto it = values.find(r.spec.name); it != values.end()) r.set(o, it->second);
  }
  // An unset hop follows the window, as each library does.
  if (o.mel.stft.hop_length == 0 || !values.count("hop_length"))
    o.mel.stft.hop_length = std::max(1, o.mel.stft.effective_win_length() / preset.hop_divisor);
  o.kaldi.feature = o.frontend == Frontend::kKaldiMfcc          ? KaldiFeature::kMfcc
                    : o.frontend == Frontend::kKaldiSpectrogram ? KaldiFeature::kSpectrogram
                                                                : KaldiFeature::kFbank;
  if (o.normalize) o.normalize = with_pipeline_defaults(*o.normalize);
  if (o.sample_rate) o.mel.sample_rate = *o.sample_rate;
  o.validate();
  return o;
}

OptionValues option_values(const PipelineOptions& o) {
  OptionValues v;
  for (const Row& r : rows())
    if (r.get) v[r.spec.name] = r.get(o);
  return v;
}

std::map<std::string, std::string> fingerprint_of(const PipelineOptions& o, std::optional<OptionStage> before) {
  std::map<std::string, std::string> f;
  for (const Row& r : rows()) {
    if (!r.get || !r.spec.changes_output || (before && r.spec.stage >= *before)) continue;
    if (!applies(r.spec, o.frontend)) continue;
    f[r.spec.name] = r.get(o);
  }
  // Options added after fingerprints were first recorded: absent at their defaults, so those stay valid.
  for (const auto& [name, unset] : {std::pair{"frontend", "stft"},
                                    {"waveform_scale", "1"},
                                    {"target_frames", "none"},
                                    {"layout", "bins_first"},
                                    {"mean", "none"},
                                    {"std", "none"}})
    if (f.count(name) && f[name] == unset) f.erase(name);
  // Resolved: the precision the FFT really runs in, every method parameter.
  const bool single =
      !o.kaldi_frontend() &&
      (o.mel.fft_precision == FftPrecision::kSingle ||
       (o.mel.fft_precision == FftPrecision::kAuto && o.mel.db.enabled && o.mel.db.top_db && *o.mel.db.top_db <= 80));
  if (f.count("fft_precision")) f["fft_precision"] = single ? "single" : "double";
  // Only a noise floor reads its percentile (and statistics fitted before it existed stay valid).
  if (o.mel.db.floor != DbFloor::kNoise && o.mel.db.floor != DbFloor::kNoisePercentile) f.erase("db_floor_percentile");
  if (f.count("params") && o.normalize) {
    MethodParams all;
    for (const ParamSpec& p : find_method(o.normalize->method).params) all[p.name] = p.default_value;
    const NormalizeOptions used = o.sample_rate ? normalization_at(o, *o.sample_rate) : *o.normalize;
    for (const auto& [k, v] : used.params) all[k] = v;
    for (const ParamSpec& p : find_method(o.normalize->method).params)  // each clip's rate: not one value
      if (!o.sample_rate && p.source == ParamSource::kSampleRate && !o.normalize->params.count(p.name))
        all.erase(p.name);
    f["params"] = params_text(all);
  }
  return f;
}

const std::vector<std::string>& fields_absent_at_default() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> v = {"frontend", "waveform_scale", "target_frames", "layout", "mean", "std"};
    for (const Row& r : rows())
      if (r.spec.frontends.find("kaldi") != std::string::npos) v.push_back(r.spec.name);
    return v;
  }();
  return fields;
}

std::string option_text(const OptionSpec& spec, const std::string& json_value) {
  nlohmann::json v;
  try {
    v = nlohmann::json::parse(json_value);
  } catch (const std::exception&) {
    throw_invalid_argument(spec.name, spec.name + ": not a JSON value: " + json_value);
  }
  if (v.is_null()) return "none";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return exact(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && spec.name == "params") {
    MethodParams p;
    for (const auto& [k, x] : v.items()) {
      if (!x.is_number()) throw_invalid_argument("params", "params['" + k + "']=" + x.dump() + " must be a number");
      p[k] = x.get<double>();
    }
    return params_text(p);
  }
  throw_invalid_argument(spec.name, spec.name + "=" + v.dump() + " must be " + spec.allowed);
}

MelSpectrogramOptions preset_options(Preset preset, double sample_rate) {
  MelSpectrogramOptions o = resolve_pipeline_options({{"preset", to_string(preset)}}).mel;
  o.sample_rate = sample_rate;
  return o;
}

NormalizeOptions normalization_at(const PipelineOptions& o, double sample_rate) {
  return in_context(o.normalize.value_or(NormalizeOptions{}),
                    {.sample_rate = sample_rate, .hop_length = o.mel.stft.hop_length});
}

std::size_t PipelineOptions::n_bins(std::optional<double> rate) const {
  if (!kaldi_frontend()) return static_cast<std::size_t>(mel.mel.n_mels);
  const double sr = rate ? *rate : sample_rate ? *sample_rate : mel.sample_rate;
  switch (frontend) {
    case Frontend::kKaldiMfcc: return static_cast<std::size_t>(kaldi.num_ceps);
    case Frontend::kKaldiSpectrogram: return static_cast<std::size_t>(kaldi.padded_window_size(sr) / 2 + 1);
    default: return static_cast<std::size_t>(kaldi.num_mel_bins + (kaldi.use_energy ? 1 : 0));
  }
}

void PipelineOptions::validate() const {
  if (rate_policy == RatePolicy::kFixed && !sample_rate) throw_invalid_argument("sr", "sr is missing");
  if (kaldi_frontend() && sample_rate) kaldi.validate(*sample_rate);  // else at each clip's rate (KaldiComputer)
  if (normalize && normalize->scope != Scope::kFixed && (normalize->fixed_mean || normalize->fixed_std))
    throw_invalid_argument(normalize->fixed_mean ? "mean" : "std",
                           std::string(normalize->fixed_mean ? "mean" : "std") +
                               " is a fixed statistic: it needs scope=fixed (this pipeline's scope is " +
                               to_string(normalize->scope) + ")");
  if (!kaldi_frontend()) {
    MelSpectrogramOptions m = mel;
    if (!sample_rate) m.sample_rate = 1e9;  // the rate is a clip's: check what does not depend on it
    m.validate();
  }
  if (segment_hop && !segment) throw_invalid_argument("segment_hop", "segment_hop needs segment");
  if (segment && pad_to)
    throw_invalid_argument("pad_to", "pad_to and segment are alternatives (segments are already fixed-size)");
  if (sample_rate)
    for (const auto& [name, seconds] :
         {std::pair{"segment", segment}, {"segment_hop", segment_hop}, {"pad_to", pad_to}})
      if (seconds && std::llround(*seconds * *sample_rate) < 1)
        throw_invalid_argument(name, std::string(name) + "=" + exact(*seconds) + " s is shorter than one sample at " +
                                         num(*sample_rate) + " Hz");
  if (normalize) {
    const MethodInfo& info = find_method(normalize->method);
    if (normalize->scope == Scope::kGlobal && !info.supports_global)
      throw_invalid_argument("scope", "method " + info.name + " is local only; allowed scope: local");
    NormalizeOptions check_options = *normalize;
    if (check_options.scope == Scope::kGlobal) check_options.scope = Scope::kLocal;  // no statistics yet
    Normalizer check(check_options);
  }
}

PipelineOptions PipelineOptions::at_rate(int rate) const {
  PipelineOptions o = *this;
  o.sample_rate = rate;
  o.rate_policy = RatePolicy::kFixed;
  o.mel.sample_rate = rate;
  o.validate();
  return o;
}

std::string options_markdown(const std::vector<OptionSpec>& schema) {
  std::string md = "| option | flag | kind | unit | allowed | default | in fingerprint | what it does |\n";
  md += "|---|---|---|---|---|---|---|---|\n";
  auto cell = [](std::string text) {  // a '|' inside a cell would end it
    for (std::size_t pos = 0; (pos = text.find('|', pos)) != std::string::npos; pos += 2) text.replace(pos, 1, "\\|");
    return text;
  };
  for (const OptionSpec& s : schema) {
    const std::string doc = s.alias_of.empty() ? s.doc : s.doc + " (alias of `" + s.alias_of + "`)";
    md += "| `" + s.name + "` | `" + s.flag + "` | " + to_string(s.kind) + " | " + s.unit + " | " + cell(s.allowed) +
          " | " + cell(s.default_text) + " | " + (s.changes_output ? "yes" : "no") + " | " + cell(doc) + " |\n";
  }
  return md;
}

std::string options_json(const std::vector<OptionSpec>& schema) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const OptionSpec& s : schema)
    j.push_back({{"name", s.name},
                 {"flag", s.flag},
                 {"kind", to_string(s.kind)},
                 {"stage", to_string(s.stage)},
                 {"unit", s.unit},
                 {"allowed", s.allowed},
                 {"default", s.default_text},
                 {"doc", s.doc},
                 {"changes_output", s.changes_output},
                 {"alias_of", s.alias_of}});
  return j.dump(2);
}

}  // namespace melnorm
