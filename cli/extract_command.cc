// melnorm extract INPUT -o OUTDIR [mel options] [--normalize METHOD [--scope ...] [--axis ...]
//   [--stats STATS.json | --fit-stats]] [--labels LABELS.csv] [--jobs N] [--segment S [--segment-hop S]]
//   [--pad-to S] [--format FORMAT (npy, packed: --help lists them)] [--dtype float32|float16] [--quiet]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "interrupt.h"
#include "mel_options.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace melnorm::cli {
namespace {

struct ExtractArgs {
  bool quiet = false;
  OptionFlags flags;
};

std::string clock_text(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// One live line on a terminal, a plain line every few seconds otherwise.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool quiet) : quiet_(quiet), tty_(::isatty(2) != 0) {}

  void update(const ExtractProgress& p) {
    InterruptReport::progress(p.sources_done, p.sources_total);
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (p.phase != phase_) {
      if (tty_ && !phase_.empty()) std::fputc('\n', stderr);
      phase_ = p.phase;
      phase_start_ = now;
      first_done_ = p.sources_done;
    }
    const double since_print = std::chrono::duration<double>(now - last_print_).count();
    const bool last = p.sources_done == p.sources_total;
    if (since_print < (tty_ ? 0.2 : 5.0) && !last) return;
    last_print_ = now;
    const double elapsed = std::chrono::duration<double>(now - phase_start_).count();
    if (elapsed < 0.5 && !last) return;  // rates over a few milliseconds mean nothing
    const double rate = static_cast<double>(p.sources_done - first_done_) / std::max(elapsed, 1e-9);
    const double eta = rate > 0 ? static_cast<double>(p.sources_total - p.sources_done) / rate : 0.0;
    char audio[48] = "";  // hours of audio a second, once audio was counted
    if (p.audio_seconds > 0)
      std::snprintf(audio, sizeof audio, "  %.3g h audio/s", p.audio_seconds / 3600.0 / std::max(elapsed, 1e-3));
    std::fprintf(stderr, "%s%s %zu/%zu clips  %.1f clips/s%s  ETA %s  failed %zu%s", tty_ ? "\r" : "", p.phase.c_str(),
                 p.sources_done, p.sources_total, rate, audio, clock_text(eta).c_str(), p.rows_failed,
                 tty_ ? "   " : "\n");
    std::fflush(stderr);
  }
  void finish() {
    if (!quiet_ && tty_ && !phase_.empty()) std::fputc('\n', stderr);
  }

 private:
  bool quiet_, tty_;
  std::string phase_;
  std::size_t first_done_ = 0;
  std::chrono::steady_clock::time_point phase_start_{}, last_print_{};
};

int run_extract(const ExtractArgs& a) {
  const ExtractOptions o = resolve_extract_options(a.flags.given());
  ProgressDisplay display(a.quiet);
  InterruptReport::install("clips", "run the same command to resume");
  const ExtractSummary s = extract_dataset(o, [&](const ExtractProgress& p) { display.update(p); });
  display.finish();
  if (!a.quiet) {
    std::fprintf(stderr, "%s: %zu clips -> %zu rows, %zu failed%s; %.1f s, %.1f clips/s", o.out_dir.c_str(), s.sources,
                 s.rows, s.failed,
                 s.resumed ? (" (" + std::to_string(s.resumed) + " clips done by an earlier run)").c_str() : "",
                 s.seconds, static_cast<double>(s.sources - s.resumed) / std::max(s.seconds, 1e-9));
    if (s.rewritten) std::fprintf(stderr, "; %zu missing or damaged shards written again", s.rewritten);
    std::fprintf(stderr, "%s\n", s.failed ? "; failed rows and their reasons are in manifest.csv" : "");
  }
  return s.failed ? 1 : 0;
}

}  // namespace

Run add_extract_command(CLI::App& app) {
  auto a = std::make_shared<ExtractArgs>();
  CLI::App* cmd = app.add_subcommand("extract", "Extract (normalized) mel spectrograms of a whole dataset, resumably");
  a->flags.add_to(*cmd, extract_schema());
  a->flags.add_to(*cmd, pipeline_schema());
  cmd->add_flag("-q,--quiet", a->quiet, "No progress and no summary");
  return [cmd, a]() -> int { return cmd->parsed() ? run_extract(*a) : -1; };
}

}  // namespace melnorm::cli
