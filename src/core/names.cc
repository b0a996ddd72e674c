#include "core/names.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace melnorm::detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0]++;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

namespace {

// Other libraries' names for our keywords (torchaudio, librosa, transformers' feature extractors).
std::string synonym_of(std::string_view name, const std::vector<std::string>& candidates) {
  static const std::vector<std::pair<std::string_view, std::string_view>> synonyms = {
      {"sample_rate", "sr"},      {"sampling_rate", "sr"}, {"samplerate", "sr"},           {"rate", "sr"},
      {"hop_size", "hop_length"}, {"hop", "hop_length"},   {"win_size", "win_length"},     {"f_min", "fmin"},
      {"f_max", "fmax"},          {"window_fn", "window"}, {"num_mels", "n_mels"},         {"mel_bins", "n_mels"},
      {"feature_size", "n_mels"}, {"n_mel", "n_mels"},     {"mel_scale_type", "mel_scale"}};
  for (const auto& [theirs, ours] : synonyms)
    if (theirs == name && std::find(candidates.begin(), candidates.end(), ours) != candidates.end())
      return std::string(ours);
  return "";
}

}  // namespace

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  if (std::string synonym = synonym_of(name, candidates); !synonym.empty()) return synonym;
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_distance) best = c, best_distance = d;
  }
  return best;
}

std::string unknown_name_message(std::string_view what, std::string_view name,
                                 const std::vector<std::string>& candidates) {
  std::string message = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (const std::string close = closest_name(name, candidates); !close.empty())
    message += " (did you mean '" + close + "'?)";
  message += "; allowed: ";
  for (std::size_t i = 0; i < candidates.size(); ++i) message += (i ? ", " : "") + candidates[i];
  return message;
}

}  // namespace melnorm::detail
