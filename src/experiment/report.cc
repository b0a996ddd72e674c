#include "experiment/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/format.h"
#include "melnorm/render.h"

namespace melnorm::detail {

namespace {

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100 * v);
  return buf;
}

// The level the summary and the charts read: whole tracks when the clips are segmented.
std::string main_level(const ExperimentOptions& o) { return o.features.segment ? "track" : "clip"; }

// The data, the split, the model and the training, in one paragraph; then how to read the tables.
void write_preamble(std::ostream& md, const ExperimentContext& ctx, const ExperimentSummary& summary) {
  const ExperimentOptions& o = ctx.options;
  md << "# Experiment results\n\n";
  md << "Data: `" << o.data.string() << "`" << (o.labels ? " with labels `" + o.labels->string() + "`" : "") << "; "
     << ctx.data.classes.size() << " classes; rows: " << summary.train_rows << " train, " << summary.val_rows
     << " validation, " << ctx.rows.test.size() << " test";
  if (o.holdout_column) md << " (held out: " << *o.holdout_column << " = " << *o.holdout_value << ")";
  md << ". Validation (picks the best epoch): " << validation_text(o, ctx.data) << ". Model: " << o.model.blocks
     << " blocks of Conv2d 3x3 -> BatchNorm -> ReLU -> MaxPool, " << o.model.channels << " to " << o.model.max_channels
     << " channels; Adam lr " << num(o.train.learning_rate) << ", batch " << o.train.batch_size << ", "
     << o.train.epochs << " epochs, the epoch with the best validation accuracy kept. ";
  if (o.train_click_fraction > 0)
    md << "Training augmentation: " << pct(o.train_click_fraction) << "% of the training rows ("
       << summary.train_click_rows << " of " << ctx.rows.train.size()
       << ", a validation part drawn from them included) carry one full-scale click. ";
  for (const auto& a : o.train_augmentations)
    if (a.enabled()) {
      md << "Training perturbations (configs marked train=...): the training clips are perturbed afresh every epoch "
            "(seeded by the run's seed, the epoch and the clip): noise, then gain, then re-quantization; validation "
            "and test rows are not. ";
      break;
    }
  md << "Seeds: ";
  for (std::size_t i = 0; i < o.seeds.size(); ++i) md << (i ? ", " : "") << o.seeds[i];
  if (o.seeds.size() == 1) {  // no spread to show: say so rather than "± 0.0"
    md << ".\n\nEach cell: the one seed's value, in % (n = 1, no interval: give more seeds for one). "
          "**Bold**: the best of the column.\n";
    return;
  }
  md << ".\n\nEach cell: mean ± half-width of the 95% confidence interval over the seeds (Student's t), in %, "
        "and the standard deviation over the seeds. "
        "**Bold**: the best mean of the column. *≈*: its interval overlaps the best's, so the difference from the "
        "best is within noise.\n";
}

// One table: a row per configuration, a column per test condition.
void write_table(std::ostream& md, const ExperimentContext& ctx, const Results& results, const std::string& level,
                 bool f1) {
  const auto& conditions = ctx.grid.conditions;
  const bool vary_db = ctx.grid.vary_db;
  const std::vector<std::string> configs = results.configs();
  md << "| normalization |" << (vary_db ? " dB ref / floor |" : "") << " BatchNorm axis |";
  for (const auto& c : conditions) md << ' ' << c.name() << " |";
  md << "\n| --- | --- |" << (vary_db ? " --- |" : "");
  for (std::size_t i = 0; i < conditions.size(); ++i) md << " --- |";
  md << '\n';
  std::vector<Interval> best(conditions.size());
  for (std::size_t ci = 0; ci < conditions.size(); ++ci)
    for (const auto& c : configs) {
      const auto iv = mean_ci95(results.values(c, conditions[ci].name(), level, f1));
      if (iv.n && (best[ci].n == 0 || iv.mean > best[ci].mean)) best[ci] = iv;
    }
  for (const auto& c : configs) {
    const auto bn_at = c.find(" bn="), db_at = c.find(" db=");
    md << "| " << c.substr(0, std::min(bn_at, db_at)) << " |";
    if (vary_db) md << ' ' << (db_at < bn_at ? c.substr(db_at + 4, bn_at - db_at - 4) : std::string("–")) << " |";
    md << ' ' << c.substr(bn_at + 4) << " |";
    for (std::size_t ci = 0; ci < conditions.size(); ++ci) {
      const auto iv = mean_ci95(results.values(c, conditions[ci].name(), level, f1));
      std::string cell = pct(iv.mean);
      if (iv.n != 1) cell += " ± " + pct(iv.half_width);  // one value has no interval (the preamble says n = 1)
      if (iv.n > 1) cell += " (sd " + pct(iv.sd) + ")";
      if (iv.mean == best[ci].mean) cell = "**" + cell + "**";
      else if (iv.n > 1 && iv.high() >= best[ci].low()) cell = "≈ " + cell;
      md << ' ' << cell << " |";
    }
    md << '\n';
  }
}

// What this folder holds, and what was left out and why (write_report decides both).
void write_files_section(std::ostream& md, const ExperimentOptions& o) {
  md << "\n## Files\n\n"
        "- `results.csv`: one row per run, test condition and level (accuracy, macro-F1, `epochs` as configured, "
        "`best_epoch` the epoch whose weights were kept, training seconds).\n"
        "- `results.md`: this report.\n"
        "- `confusion.png`: the clean test rows' confusion matrix of the best configuration, summed over seeds.\n";
  if (!o.eval_gains_db.empty())
    md << "- `accuracy_vs_gain.png`: accuracy against the gain of the test audio, one curve per configuration"
       << (o.eval_bits ? " (and one re-quantized to PCM" + num(*o.eval_bits) + ")" : "") << ".\n";
  else
    md << "- No `accuracy_vs_gain.png`: the grid has no test gains (give `--eval-gain`, e.g. `--eval-gain -20,20`).\n";
  if (o.save_model) md << "- The model: `" << o.save_model->string() << "` (`melnorm predict` reads it).\n";
  if (o.save_models)
    md << "- The models: `" << o.save_models->string() << "`, a folder per run and `best` (the best validation run).\n";
}

void write_results_md(const ExperimentContext& ctx, const ExperimentOutputs& out) {
  const ExperimentOptions& o = ctx.options;
  std::ostringstream md;
  write_preamble(md, ctx, out.summary);
  const std::vector<std::string> levels =
      o.features.segment ? std::vector<std::string>{"segment", "track"} : std::vector<std::string>{"clip"};
  for (const auto& level : levels) {
    for (bool f1 : {false, true}) {
      md << "\n## " << (f1 ? "Macro-F1" : "Accuracy") << (levels.size() > 1 ? " (" + level + " level)" : "") << "\n\n";
      write_table(md, ctx, out.results, level, f1);
    }
  }
  md << "\nBest clean " << (o.features.segment ? "track " : "") << "accuracy: " << out.summary.best_config << " ("
     << pct(out.summary.best_clean_accuracy) << "%). Per-run numbers: `results.csv`.\n";
  write_files_section(md, o);
  write_text(o.out_dir / "results.md", md.str());
}

// One curve per configuration, and one per configuration for the re-quantized gains.
void render_gain_chart(const ExperimentContext& ctx, const Results& results) {
  const ExperimentOptions& o = ctx.options;
  const auto& conditions = ctx.grid.conditions;
  LineChart chart{.title = "Test accuracy vs gain of the test audio (mean over seeds)",
                  .x_label = "gain applied to the test waveform (dB; clipped to [-1, 1])",
                  .y_label = "accuracy (%)",
                  .series = {},
                  .y_min = 0.0,
                  .y_max = 100.0};
  for (const int bits : o.eval_bits ? std::vector<int>{0, *o.eval_bits} : std::vector<int>{0}) {
    std::vector<std::pair<double, std::string>> points = {{0.0, "clean"}};
    for (std::size_t ci = 1; ci < conditions.size(); ++ci)
      if (conditions[ci].kind == Condition::Kind::kGain && conditions[ci].bits == bits)
        points.push_back({conditions[ci].gain_db, conditions[ci].name()});
    std::sort(points.begin(), points.end());
    for (const auto& c : results.configs()) {
      LineSeries s{.label = bits ? c + " PCM" + num(bits) : c, .x = {}, .y = {}};
      for (const auto& [g, name] : points) {
        s.x.push_back(g);
        s.y.push_back(100 * mean_ci95(results.values(c, name, main_level(o), false)).mean);
      }
      chart.series.push_back(std::move(s));
    }
  }
  render_line_chart(o.out_dir / "accuracy_vs_gain.png", chart);
}

}  // namespace

void write_report(const ExperimentContext& ctx, const ExperimentOutputs& out) {
  write_results_md(ctx, out);
  if (!ctx.options.eval_gains_db.empty()) render_gain_chart(ctx, out.results);
  render_confusion(ctx.options.out_dir / "confusion.png", out.results.clean_confusion.at(out.summary.best_config),
                   ctx.data.classes, "Confusion, clean test set: " + out.summary.best_config + " (all seeds)");
}

}  // namespace melnorm::detail
