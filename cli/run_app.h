// Parses the command line and runs the chosen subcommand, turning
// melnorm::Error into one line naming the flag and an exit status (2: invalid
// option, 1: unusable file, 70: internal error). Shared by melnorm and
// melnorm-experiment.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"

namespace melnorm::cli {

namespace parse_detail {

// Edits between a and b: insertions, deletions, substitutions and swaps of
// two adjacent letters ("hlep" is one edit from "help"; optimal string
// alignment distance).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

inline std::string_view undashed(std::string_view s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); }

// The candidate closest to `typed`, or "" when none is close enough to be a
// likely typo (about one edit per four letters; none for 1-2 letters).
// Compared without dashes, so -nmels also finds --n-mels.
inline std::string closest(const std::string& typed, const std::vector<std::string>& candidates) {
  const std::string_view word = undashed(typed);
  std::size_t best_d = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 4)) + 1;
  std::string best;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, undashed(c));
    if (d < best_d && 2 * d < word.size()) best = c, best_d = d;
  }
  return best;
}

inline std::vector<std::string> flag_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
    for (const auto& n : opt->get_snames()) names.push_back("-" + n);
  }
  return names;
}

inline std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

// The app left with arguments it did not recognize: the main app, else the
// subcommand that was given.
inline const CLI::App* app_with_extras(const CLI::App& app) {
  if (!app.remaining(false).empty()) return &app;
  for (const CLI::App* sub : app.get_subcommands())
    if (const CLI::App* found = app_with_extras(*sub)) return found;
  return nullptr;
}

// Another library's name for one of ours: torchaudio's, librosa's, Kaldi's
// spellings ("--sample-rate" is "--sr"), offered when `flags` has ours.
inline std::string synonym_of(const std::string& typed, const std::vector<std::string>& flags) {
  static const std::vector<std::pair<std::string, std::string>> synonyms = {{"--sample-rate", "--sr"},
                                                                            {"--samplerate", "--sr"},
                                                                            {"--sampling-rate", "--sr"},
                                                                            {"--rate", "--sr"},
                                                                            {"--fs", "--sr"},
                                                                            {"--hop-length", "--hop"},
                                                                            {"--hop-size", "--hop"},
                                                                            {"--f-min", "--fmin"},
                                                                            {"--f-max", "--fmax"},
                                                                            {"--n-mel", "--n-mels"},
                                                                            {"--num-mels", "--n-mels"},
                                                                            {"--mels", "--n-mels"},
                                                                            {"--window-fn", "--window"},
                                                                            {"--output", "-o"},
                                                                            {"--out", "-o"},
                                                                            {"--normalization", "--normalize"},
                                                                            {"--method", "--normalize"},
                                                                            {"--fft-size", "--n-fft"},
                                                                            {"--nfft", "--n-fft"},
                                                                            {"--win-size", "--win-length"},
                                                                            {"--threads", "--jobs"},
                                                                            {"--workers", "--jobs"},
                                                                            {"--num-workers", "--jobs"}};
  for (const auto& [theirs, ours] : synonyms)
    if (theirs == typed && std::find(flags.begin(), flags.end(), ours) != flags.end()) return ours;
  return "";
}

// The subcommands of `owner` (the main app) that take `flag`, comma-separated:
// a flag typed before its command.
inline std::string commands_taking(const CLI::App& owner, const std::string& flag) {
  std::string out;
  for (const CLI::App* sub : owner.get_subcommands([](const CLI::App*) { return true; })) {
    const auto names = flag_names(*sub);
    if (std::find(names.begin(), names.end(), flag) != names.end()) out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

inline std::string with_suggestion(std::string message, const std::string& match) {
  return match.empty() ? message : message + "; did you mean " + match + "?";
}

// "unknown option --nmels; did you mean --n-mels?" for the first unknown
// flag, "unknown command mell; ..." for a misspelled subcommand.
inline std::string extras_message(const CLI::App& owner) {
  const auto extras = owner.remaining(false);
  const bool no_command = owner.get_subcommands().empty() && !command_names(owner).empty();
  if (no_command && !extras.front().starts_with("-"))
    return with_suggestion("unknown command " + extras.front(), closest(extras.front(), command_names(owner)));
  const auto flag = std::find_if(extras.begin(), extras.end(), [](const std::string& a) { return a.starts_with("-"); });
  if (flag != extras.end()) {
    const std::string typed = flag->substr(0, flag->find('='));  // --nmels=64
    if (const std::string after = commands_taking(owner, typed); !after.empty())
      return typed + " is an option of " + after + ": options go after the command (melnorm " +
             after.substr(0, after.find(',')) + " ... " + typed + " ...)";
    const std::vector<std::string> flags = flag_names(owner);
    if (const std::string synonym = synonym_of(typed, flags); !synonym.empty())
      return with_suggestion("unknown option " + typed, synonym);
    return with_suggestion("unknown option " + typed, closest(typed, flags));
  }
  std::string message = extras.size() > 1 ? "unexpected arguments" : "unexpected argument";
  for (const auto& a : extras) message += " " + a;
  return message;
}

// Unrecognized arguments come first: "--data is required" would hide the
// typo that caused it.
inline std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
  if (const CLI::App* owner = app_with_extras(app)) return extras_message(*owner);
  std::string message = e.what();  // CLI11 capitalizes ("A subcommand is required"); melnorm's errors do not
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
      !std::isupper(static_cast<unsigned char>(message[1])))
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  return message;
}

}  // namespace parse_detail

inline int run_app(CLI::App& app, const std::vector<Run>& commands, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: printed as CLI11 does, status 0
  } catch (const CLI::ParseError& e) {
    // One line and status 2, as for melnorm's own invalid options (CLI11's
    // statuses, 106, 109, ..., would contradict the documented 2).
    std::cerr << "melnorm: error: " << parse_detail::parse_error_message(app, e) << '\n';
    return 2;
  }
  try {
    for (const auto& run : commands) {
      const int rc = run();
      if (rc >= 0) return rc;
    }
  } catch (const Error& e) {
    const std::string flag = flag_for_param(e.param());
    std::cerr << "melnorm: error: " << (flag.empty() ? "" : flag + ": ") << e.message(render_flag) << '\n';
    return e.code() == ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "melnorm: internal error: " << e.what() << '\n';
    return 70;
  }
  return 0;
}

}  // namespace melnorm::cli
