// melnorm extract INPUT -o OUTDIR [mel options] [--normalize METHOD [--scope ...] [--axis ...]
//   [--stats STATS.json | --fit-stats]] [--labels LABELS.csv] [--jobs N] [--segment S [--segment-hop S]]
//   [--pad-to S] [--format npy|packed] [--dtype float32|float16] [--quiet]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"

namespace melnorm::cli {
namespace {

struct ExtractArgs {
  std::string input, out_dir, labels, normalize, scope = "local", axis = "all", stats, format = "npy", dtype = "float32";
  std::vector<std::string> params;
  bool fit_stats = false, quiet = false;
  int jobs = 0;
  std::optional<double> segment, segment_hop, pad_to;
  MelFlags mel;
};

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
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
    std::fprintf(stderr, "%s%s %zu/%zu clips  %.1f clips/s  %.3f h audio/s  ETA %s  failed %zu%s",
                 tty_ ? "\r" : "", p.phase.c_str(), p.sources_done, p.sources_total, rate,
                 p.audio_seconds / 3600.0 / elapsed, clock_text(eta).c_str(), p.rows_failed, tty_ ? "   " : "\n");
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
  ExtractOptions o;
  o.input = a.input;
  o.out_dir = a.out_dir;
  if (!a.labels.empty()) o.labels = a.labels;
  if (a.mel.pcen) throw_invalid_argument("pcen", "for extraction use --normalize pcen (on --power 1 --db off features)");
  // Without --sr each clip keeps its rate: resolve with a placeholder rate,
  // the real one is checked per clip.
  o.sample_rate = a.mel.sr;
  o.mel = a.mel.resolve(a.mel.sr ? *a.mel.sr : 1e9);
  if (!a.normalize.empty()) {
    o.normalize = NormalizeOptions{.method = a.normalize, .scope = parse_scope(a.scope), .axis = parse_axis(a.axis),
                                   .params = parse_method_params(a.params)};
  } else if (!a.params.empty() || a.scope != "local" || a.axis != "all")
    throw_invalid_argument("normalize", "--scope, --axis and --param need --normalize METHOD");
  if (!a.stats.empty()) o.stats = a.stats;
  o.fit_stats = a.fit_stats;
  o.segment = a.segment;
  o.segment_hop = a.segment_hop;
  o.pad_to = a.pad_to;
  if (a.format == "npy") o.format = OutputFormat::kNpy;
  else if (a.format == "packed") o.format = OutputFormat::kPacked;
  else throw_invalid_argument("format", "format='" + a.format + "' is not supported; allowed: npy, packed");
  if (a.dtype == "float32") o.dtype = DType::kFloat32;
  else if (a.dtype == "float16") o.dtype = DType::kFloat16;
  else throw_invalid_argument("dtype", "dtype='" + a.dtype + "' is not supported; allowed: float32, float16");
  o.jobs = a.jobs;

  ProgressDisplay display(a.quiet);
  const ExtractSummary s = extract_dataset(o, [&](const ExtractProgress& p) { display.update(p); });
  display.finish();
  if (!a.quiet) {
    std::fprintf(stderr, "%s: %zu clips -> %zu rows, %zu failed%s; %.1f s, %.1f clips/s",
                 a.out_dir.c_str(), s.sources, s.rows, s.failed,
                 s.resumed ? (" (" + std::to_string(s.resumed) + " clips done by an earlier run)").c_str() : "", s.seconds,
                 static_cast<double>(s.sources - s.resumed) / std::max(s.seconds, 1e-9));
    std::fprintf(stderr, "%s\n", s.failed ? "; failed rows and their reasons are in manifest.csv" : "");
  }
  return s.failed ? 1 : 0;
}

}  // namespace

Run add_extract_command(CLI::App& app) {
  auto a = std::make_shared<ExtractArgs>();
  CLI::App* cmd = app.add_subcommand("extract", "Extract (normalized) mel spectrograms of a whole dataset, resumably");
  cmd->add_option("INPUT", a->input, "Folder of audio files (recursive; label = parent folder) or a .txt/.csv list")
      ->required();
  cmd->add_option("-o,--output", a->out_dir, "Output folder (re-running with the same options resumes)")->required();
  cmd->add_option("--labels", a->labels, "CSV with path,label[,split,speaker,...]; paths relative to the CSV");
  cmd->add_option("--normalize", a->normalize, "Normalization method (see `melnorm methods`)");
  cmd->add_option("--scope", a->scope, "local | global")->capture_default_str();
  cmd->add_option("--axis", a->axis, "all | band | frame")->capture_default_str();
  cmd->add_option("--param", a->params, "Method parameter NAME=VALUE (repeatable)");
  cmd->add_option("--stats", a->stats, "Global statistics to apply (from fit-stats)");
  cmd->add_flag("--fit-stats", a->fit_stats, "Fit global statistics on the train rows (split column) into OUTDIR/stats.json");
  cmd->add_option("--jobs", a->jobs, "Worker threads (default: all cores); output is identical for any value");
  cmd->add_option("--segment", a->segment, "Cut clips into segments of this many seconds, one row each");
  cmd->add_option("--segment-hop", a->segment_hop, "Seconds between segment starts (default: --segment)");
  cmd->add_option("--pad-to", a->pad_to, "Pad or crop every clip to this many seconds");
  cmd->add_option("--format", a->format, "npy (one file per row) | packed (one [N, F, T] features.npy)")
      ->capture_default_str();
  cmd->add_option("--dtype", a->dtype, "float32 | float16")->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "No progress and no summary");
  a->mel.add_to(*cmd);
  return [cmd, a]() -> int { return cmd->parsed() ? run_extract(*a) : -1; };
}

}  // namespace melnorm::cli
