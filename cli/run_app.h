// Parses the command line and runs the chosen subcommand, turning
// melnorm::Error into one line naming the flag and an exit status (2: invalid
// option, 1: unusable file, 70: internal error). Shared by melnorm and
// melnorm-experiment.
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"

namespace melnorm::cli {

namespace parse_detail {

// Levenshtein distance (insertions, deletions, substitutions).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

inline std::string_view undashed(std::string_view s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); }

// The flag of `app` closest to `typed`, or "" when none is close enough to be
// a likely typo (about one edit per four letters; none for 1-2 letters).
// Compared without dashes, so -nmels also finds --n-mels.
inline std::string closest_flag(const std::string& typed, const CLI::App& app) {
  const std::string_view word = undashed(typed);
  std::size_t best_d = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 4)) + 1;
  std::string best;
  for (const CLI::Option* opt : app.get_options()) {
    std::vector<std::string> names;
    for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
    for (const auto& n : opt->get_snames()) names.push_back("-" + n);
    for (const auto& name : names) {
      const std::size_t d = edit_distance(word, undashed(name));
      if (d < best_d && 2 * d < word.size()) best = name, best_d = d;
    }
  }
  return best;
}

// The app whose leftover arguments CLI11 reported: it checks the main app
// first, then the subcommand that was given.
inline const CLI::App* app_with_extras(const CLI::App& app) {
  if (!app.remaining(false).empty()) return &app;
  for (const CLI::App* sub : app.get_subcommands())
    if (const CLI::App* found = app_with_extras(*sub)) return found;
  return nullptr;
}

// "unknown option --nmels; did you mean --n-mels?" for the first unknown flag.
inline std::string extras_message(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App* owner = app_with_extras(app);
  if (owner == nullptr) return e.what();
  const auto extras = owner->remaining(false);
  const auto flag = std::find_if(extras.begin(), extras.end(), [](const std::string& a) { return a.starts_with("-"); });
  if (flag == extras.end()) {
    std::string message = extras.size() > 1 ? "unexpected arguments" : "unexpected argument";
    for (const auto& a : extras) message += " " + a;
    return message;
  }
  const std::string typed = flag->substr(0, flag->find('='));  // --nmels=64
  const std::string match = closest_flag(typed, *owner);
  std::string message = "unknown option " + typed;
  if (!match.empty()) message += "; did you mean " + match + "?";
  return message;
}

}  // namespace parse_detail

inline int run_app(CLI::App& app, const std::vector<Run>& commands, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: printed as CLI11 does, status 0
  } catch (const CLI::ExtrasError& e) {
    std::cerr << "melnorm: error: " << parse_detail::extras_message(app, e) << '\n';
    return 2;
  } catch (const CLI::ParseError& e) {
    // CLI11's own statuses (106, 109, ...) would contradict the documented 2.
    std::cerr << "melnorm: error: " << e.what() << '\n';
    return 2;
  }
  try {
    for (const auto& run : commands) {
      const int rc = run();
      if (rc >= 0) return rc;
    }
  } catch (const Error& e) {
    const std::string flag = flag_for_param(e.param());
    std::cerr << "melnorm: error: " << (flag.empty() ? "" : flag + ": ") << e.what() << '\n';
    return e.code() == ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "melnorm: internal error: " << e.what() << '\n';
    return 70;
  }
  return 0;
}

}  // namespace melnorm::cli
