// melnorm predict DIR INPUT... [-o predictions.csv] [--top-k K] [--labels CSV]
//   [--segment S [--segment-hop S] [--aggregate mean|vote]] [--jobs N] [-q]
// melnorm predict DIR --stream [FILE|-] [--window S] [--every S] [--rate HZ] [--pcm s16le|f32le]
//   live: raw mono PCM from stdin (or an audio file fed as if live); a CSV line
//   "start,end,label,probability..." every --every seconds, flushed as it comes.
// In melnorm-experiment (it runs the saved TorchScript network, so it links libtorch).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <span>

#include "commands.h"
#include "mel_options.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/model.h"
#include "melnorm/predict.h"

namespace melnorm::cli {
namespace {

struct PredictArgs {
  std::string model, labels, output, aggregate = "mean";
  std::vector<std::string> inputs;
  std::optional<double> segment, segment_hop;
  PredictOptions options;
  bool quiet = false;
  bool stream = false;  // live mode
  std::optional<double> window, every;
  std::optional<int> rate;
  std::string pcm = "s16le";
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

// Raw PCM from `in` in blocks, as mono float samples; `on_block` gets each.
void read_pcm(std::FILE* in, const std::string& format, const std::function<void(std::span<const float>)>& on_block) {
  const bool f32 = format == "f32le";
  if (!f32 && format != "s16le")
    throw_invalid_argument("pcm", "pcm '" + format + "' is not supported; allowed: s16le, f32le");
  const std::size_t width = f32 ? 4 : 2;
  std::vector<unsigned char> bytes(4096 * width);
  std::vector<float> block;
  std::size_t pending = 0;  // bytes of a sample split across reads
  for (std::size_t n; (n = std::fread(bytes.data() + pending, 1, bytes.size() - pending, in)) > 0;) {
    const std::size_t have = pending + n, whole = have / width * width;
    block.resize(whole / width);
    for (std::size_t i = 0; i < block.size(); ++i) {
      const unsigned char* b = bytes.data() + i * width;
      if (f32) std::memcpy(&block[i], b, 4);
      else block[i] = static_cast<float>(static_cast<std::int16_t>(b[0] | (b[1] << 8))) / 32768.0f;
    }
    on_block(block);
    pending = have - whole;
    std::memmove(bytes.data(), bytes.data() + whole, pending);
  }
  if (std::ferror(in)) throw Error(ErrorCode::kIo, "input", std::string("stdin: read error: ") + std::strerror(errno));
}

int run_stream(const PredictArgs& a) {
  if (a.inputs.size() > 1)
    throw_invalid_argument("input", "--stream takes one input: an audio file, or - (stdin, the default)");
  if (!a.output.empty())
    throw_invalid_argument("output", "--stream prints its labels to stdout as they come; leave out -o");
  const SavedModel model = SavedModel::load(a.model);
  const bool from_file = !a.inputs.empty() && a.inputs[0] != "-";
  std::optional<Audio> audio;
  if (from_file) audio = model.pipeline().load(a.inputs[0]);
  const std::optional<int> served = model.pipeline().options().sample_rate;
  const int rate = audio ? audio->sample_rate : a.rate ? *a.rate : served ? *served : 0;
  if (rate == 0)
    throw_invalid_argument("rate", "this model takes each clip's own rate: give the stream's with --rate HZ");
  StreamClassifier stream(model, rate, a.window, a.every, a.options.pad_short);
  std::string header = "start,end,label,probability";
  for (int i = 2; i <= a.options.top_k; ++i)
    header += ",label_" + std::to_string(i) + ",probability_" + std::to_string(i);
  bool started = false;  // the header goes with the first label: a refused stream prints nothing
  const auto print = [&](const std::vector<StreamLabel>& labels) {
    if (!labels.empty() && !started) std::printf("%s\n", header.c_str()), started = true;
    for (const auto& l : labels)
      std::printf("%.3f,%.3f,%s\n", l.start, l.end,
                  top_fields(l.probabilities, model.classes(), a.options.top_k).c_str());
    if (!labels.empty()) std::fflush(stdout);
  };
  if (audio) {  // fed as if live, in blocks of 4096 samples
    const std::span<const float> all(audio->samples);
    for (std::size_t i = 0; i < all.size(); i += 4096)
      print(stream.accept(all.subspan(i, std::min<std::size_t>(4096, all.size() - i))));
  } else {
    std::size_t received = 0;
    read_pcm(stdin, a.pcm,
             [&](std::span<const float> block) { received += block.size(), print(stream.accept(block)); });
    if (received == 0)
      throw Error(ErrorCode::kInvalidData, "input", "stdin: the stream ended before any audio arrived");
  }
  print(stream.finish());
  return 0;
}

int run_predict(PredictArgs& a) {
  if (a.stream) return run_stream(a);
  if (a.inputs.empty()) throw_invalid_argument("input", "give at least one audio file, folder or list (or --stream)");
  PredictOptions o = a.options;
  o.model = a.model;
  for (const auto& i : a.inputs) o.inputs.emplace_back(i);
  if (!a.labels.empty()) o.labels = a.labels;
  o.output = a.output;
  o.segment = a.segment, o.segment_hop = a.segment_hop;
  o.aggregate = parse_aggregate(a.aggregate);
  o.render = render_flag;
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
    if (s.windowed_files)
      std::fprintf(stderr,
                   "%zu file%s longer than the model's input: classified whole in windows of %.3g s (the last "
                   "aligned to the file's end; rows per window, the file's label by --aggregate %s)\n",
                   s.windowed_files, s.windowed_files == 1 ? "" : "s", s.window_seconds, a.aggregate.c_str());
    if (s.failed) std::fprintf(stderr, "failed files and their reasons are rows with status 'failed'\n");
  }
  return s.failed ? 1 : 0;
}

}  // namespace

Run add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict", "Classify audio files with a saved model (train --save-model DIR)");
  cmd->add_option("model", a->model, "Saved model folder")->required();
  cmd->add_option("inputs", a->inputs,
                  "Audio files, folders, or .txt/.csv lists of paths (with --stream: a file or -)");
  cmd->add_option("-o,--output", a->output, "predictions.csv (default: the CSV on stdout)");
  cmd->add_option("--top-k", a->options.top_k, "Classes per row, most probable first")->capture_default_str();
  cmd->add_option("--labels", a->labels,
                  "Labels CSV (path,label,...) of one input folder: adds true_label and the accuracy");
  cmd->add_option("--path-column", a->options.path_column, "The labels CSV's column of paths")->capture_default_str();
  cmd->add_option("--label-column", a->options.label_column, "The labels CSV's column of labels")
      ->capture_default_str();
  cmd->add_option("--segment", a->segment,
                  "Classify segments of this many seconds; the file's label by --aggregate (default: a file longer "
                  "than the model's input is classified whole, in windows of the input's length)");
  cmd->add_option("--segment-hop", a->segment_hop,
                  "Seconds between window or segment starts (default: half the model's input; --segment's own)");
  cmd->add_flag("--no-segment", a->options.no_segment,
                "Refuse (a failed row) a file longer than the model's input instead of classifying it in windows");
  cmd->add_flag("--pad-short", a->options.pad_short,
                "Allow a --segment or --window shorter than the model's input: each is zero-padded to it");
  cmd->add_option("--aggregate", a->aggregate, "A file's label from its segments: mean (of logits) | vote")
      ->capture_default_str();
  cmd->add_flag("--logits", a->options.logits, "Also the network's logits: a logit_<class> column per class");
  cmd->add_option("--jobs", a->options.jobs, "Files at once (0: all cores)")->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "No progress and no summary");
  cmd->add_flag("--stream", a->stream,
                "Live: raw PCM from stdin (or a file fed as if live), a label every --every seconds");
  cmd->add_option("--window", a->window, "--stream: seconds each label looks at (default: the model's input length)");
  cmd->add_option("--every", a->every, "--stream: seconds between labels (default: half the window)");
  cmd->add_option("--rate", a->rate, "--stream: the PCM's sample rate (default: the model's)");
  cmd->add_option("--pcm", a->pcm, "--stream: sample format on stdin: s16le | f32le")->capture_default_str();
  return [cmd, a]() -> int { return cmd->parsed() ? run_predict(*a) : -1; };
}

}  // namespace melnorm::cli
