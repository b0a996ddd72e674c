// melnorm predict DIR INPUT... [-o predictions.csv] [--top-k K] [--labels CSV]
//   [--segment S [--segment-hop S] [--aggregate mean|vote]] [--jobs N] [-q]
// In melnorm-experiment (it runs the saved TorchScript network, so it links libtorch).
// Live audio (predict --stream, on OnlineMelSpectrogram) is to come as a
// second mode of this command: it would take the same DIR and the same
// SavedModel, and is not a flag here yet.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "melnorm/error.h"
#include "melnorm/predict.h"

namespace melnorm::cli {
namespace {

struct PredictArgs {
  std::string model, labels, output, aggregate = "mean";
  std::vector<std::string> inputs;
  std::optional<double> segment, segment_hop;
  PredictOptions options;
  bool quiet = false;
};

// A live count on a terminal; otherwise nothing until the summary.
class PredictDisplay {
 public:
  explicit PredictDisplay(bool quiet) : show_(!quiet && ::isatty(2) != 0) {}
  void update(const PredictProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (!show_ || (p.done != p.total && std::chrono::duration<double>(now - last_).count() < 0.2)) return;
    last_ = now;
    std::fprintf(stderr, "\rpredict %zu/%zu files  failed %zu   ", p.done, p.total, p.failed);
    if (p.done == p.total) std::fputc('\n', stderr);
  }

 private:
  bool show_;
  std::chrono::steady_clock::time_point last_{};
};

int run_predict(PredictArgs& a) {
  PredictOptions o = a.options;
  o.model = a.model;
  for (const auto& i : a.inputs) o.inputs.emplace_back(i);
  if (!a.labels.empty()) o.labels = a.labels;
  o.output = a.output;
  o.segment = a.segment, o.segment_hop = a.segment_hop;
  o.aggregate = parse_aggregate(a.aggregate);
  PredictDisplay display(a.quiet);
  std::string csv;  // without -o: printed whole at the end (no partial output)
  const PredictSummary s = predict_files(o, &csv, [&](const PredictProgress& p) { display.update(p); });
  std::fwrite(csv.data(), 1, csv.size(), stdout);
  std::fflush(stdout);
  if (!a.quiet) {
    std::fprintf(stderr, "%zu files (%zu failed%s) in %.1f s, %.1f files/s", s.files, s.failed,
                 s.segments ? (", " + std::to_string(s.segments) + " segments").c_str() : "", s.seconds,
                 static_cast<double>(s.files) / std::max(s.seconds, 1e-9));
    if (s.labelled)
      std::fprintf(stderr, "; accuracy %.2f%% (%zu/%zu labelled files)", 100 * s.accuracy(), s.correct, s.labelled);
    std::fprintf(stderr, "%s%s\n", a.output.empty() ? "" : "; ", a.output.c_str());
    if (s.failed) std::fprintf(stderr, "failed files and their reasons are rows with status 'failed'\n");
  }
  return s.failed ? 1 : 0;
}

}  // namespace

Run add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict", "Classify audio files with a saved model (train --save-model DIR)");
  cmd->add_option("model", a->model, "Saved model folder")->required();
  cmd->add_option("inputs", a->inputs, "Audio files, folders, or .txt/.csv lists of paths")->required();
  cmd->add_option("-o,--output", a->output, "predictions.csv (default: the CSV on stdout)");
  cmd->add_option("--top-k", a->options.top_k, "Classes per row, most probable first")->capture_default_str();
  cmd->add_option("--labels", a->labels, "Labels CSV (path,label,...) of one input folder: adds true_label and the accuracy");
  cmd->add_option("--path-column", a->options.path_column, "The labels CSV's column of paths")->capture_default_str();
  cmd->add_option("--label-column", a->options.label_column, "The labels CSV's column of labels")->capture_default_str();
  cmd->add_option("--segment", a->segment, "Classify segments of this many seconds; the file's label by --aggregate");
  cmd->add_option("--segment-hop", a->segment_hop, "Seconds between segment starts (default: --segment)");
  cmd->add_option("--aggregate", a->aggregate, "A file's label from its segments: mean (of logits) | vote")
      ->capture_default_str();
  cmd->add_flag("--logits", a->options.logits, "Also the network's logits: a logit_<class> column per class");
  cmd->add_option("--jobs", a->options.jobs, "Files at once (0: all cores)")->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "No progress and no summary");
  return [cmd, a]() -> int { return cmd->parsed() ? run_predict(*a) : -1; };
}

}  // namespace melnorm::cli
