// The presets, one row each. Values are option names of the pipeline schema
// (include/melnorm/pipeline_options.h); a test resolves every row.
#include "melnorm/presets.h"

#include <nlohmann/json.hpp>

#include "core/names.h"
#include "melnorm/error.h"

namespace melnorm {

const std::vector<PresetInfo>& presets() {
  static const std::vector<PresetInfo> table = {
      {"librosa",
       "librosa's log-mel: n_fft 2048, hop 512, 128 Slaney mels, centred with zeros, dB re the clip's peak",
       "librosa 0.10 feature.melspectrogram + power_to_db(ref=np.max, top_db=80)",
       {},
       4},
      {"torchaudio",
       "torchaudio's mel spectrogram: n_fft 400, hop 200, 128 HTK mels, no filter norm, reflect padding",
       "torchaudio 0.13-2.11 transforms.MelSpectrogram (with db=off)",
       {{"n_fft", "400"}, {"pad_mode", "reflect"}, {"mel_scale", "htk"}, {"norm", "none"}},
       2},
      {"kaldi",
       "Kaldi's log mel filterbank at 16 kHz: 25 ms povey frames every 10 ms, 23 bins, [frames, bins]",
       "torchaudio.compliance.kaldi.fbank defaults (torchaudio 0.13.1; Kaldi compute-fbank-feats)",
       {{"sr", "16000"}, {"frontend", "kaldi_fbank"}, {"layout", "time_first"}}},
      {"whisper",
       "OpenAI Whisper's encoder input: 30 s at 16 kHz, 80 log10 mels, clamped 8 decades below the peak",
       "openai-whisper log_mel_spectrogram / transformers WhisperFeatureExtractor (80 mels)",
       {{"sr", "16000"},
        {"pad_to", "30"},
        {"n_fft", "400"},
        {"hop_length", "160"},
        {"pad_mode", "reflect"},
        {"n_mels", "80"},
        {"db", "ref1"},
        {"top_db", "none"},
        {"amin", "1e-10"},
        {"target_frames", "3000"},
        {"normalize", "whisper"}}},
      {"whisper-v3",
       "Whisper large-v3's encoder input: as whisper, with 128 mels",
       "openai-whisper log_mel_spectrogram(n_mels=128) / WhisperFeatureExtractor(feature_size=128)",
       {{"sr", "16000"},
        {"pad_to", "30"},
        {"n_fft", "400"},
        {"hop_length", "160"},
        {"pad_mode", "reflect"},
        {"n_mels", "128"},
        {"db", "ref1"},
        {"top_db", "none"},
        {"amin", "1e-10"},
        {"target_frames", "3000"},
        {"normalize", "whisper"}}},
      {"ast",
       "AST's input: Kaldi fbank (128 bins, hanning), 1024 frames, AudioSet's mean and 2 x std (fixed)",
       "transformers ASTFeatureExtractor (Audio Spectrogram Transformer, AudioSet statistics)",
       {{"sr", "16000"},
        {"frontend", "kaldi_fbank"},
        {"htk_compat", "true"},
        {"use_energy", "false"},
        {"window_type", "hanning"},
        {"num_mel_bins", "128"},
        {"dither", "0"},
        {"frame_shift", "10"},
        {"target_frames", "1024"},
        {"normalize", "zscore"},
        {"scope", "fixed"},
        {"mean", "-4.2677393"},
        {"std", "9.1379948"},
        {"layout", "time_first"}}},
      {"beats",
       "BEATs' input: waveform x 2**15, Kaldi fbank (128 bins, povey), mean 15.41663 and 2 x std 6.55582",
       "BEATs (microsoft/unilm) BEATs.preprocess",
       {{"sr", "16000"},
        {"frontend", "kaldi_fbank"},
        {"waveform_scale", "32768"},
        {"num_mel_bins", "128"},
        {"frame_length", "25"},
        {"frame_shift", "10"},
        {"normalize", "zscore"},
        {"scope", "fixed"},
        {"mean", "15.41663"},
        {"std", "13.11164"},
        {"layout", "time_first"}}},
      {"panns",
       "PANNs' log-mel: 32 kHz, n_fft 1024, hop 320, 64 Slaney mels 50-14000 Hz, dB re 1 (before bn0)",
       "PANNs (qiuqiangkong/audioset_tagging_cnn) Spectrogram + LogmelFilterBank (torchlibrosa)",
       {{"sr", "32000"},
        {"n_fft", "1024"},
        {"hop_length", "320"},
        {"pad_mode", "reflect"},
        {"n_mels", "64"},
        {"fmin", "50"},
        {"fmax", "14000"},
        {"db", "ref1"},
        {"top_db", "none"},
        {"amin", "1e-10"}}},
  };
  return table;
}

const PresetInfo& find_preset(std::string_view name, const std::string& param) {
  std::vector<std::string> names;
  for (const PresetInfo& p : presets()) {
    if (p.name == name) return p;
    names.push_back(p.name);
  }
  throw_invalid_argument(param, detail::unknown_name_message("preset", name, names));
}

std::string presets_markdown() {
  std::string md = "| preset | reproduces | what it is | options |\n|---|---|---|---|\n";
  for (const PresetInfo& p : presets()) {
    std::string values;
    for (const auto& [k, v] : p.values) values += (values.empty() ? "" : ", ") + ("`" + k + "=" + v + "`");
    if (p.hop_divisor != 4)
      values += (values.empty() ? "" : ", ") + std::string("hop_length follows win_length // ") +
                std::to_string(p.hop_divisor);
    md += "| `" + p.name + "` | " + p.reproduces + " | " + p.doc + " | " + (values.empty() ? "the defaults" : values) +
          " |\n";
  }
  return md;
}

std::string presets_json() {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const PresetInfo& p : presets())
    j.push_back({{"name", p.name},
                 {"doc", p.doc},
                 {"reproduces", p.reproduces},
                 {"values", p.values},
                 {"hop_divisor", p.hop_divisor}});
  return j.dump(2);
}

}  // namespace melnorm
