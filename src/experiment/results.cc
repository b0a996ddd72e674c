#include "experiment/results.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "dataset/sources.h"
#include "io/atomic_file.h"

namespace melnorm::detail {

void Results::add_clean_confusion(const std::string& config, const std::vector<std::vector<std::size_t>>& confusion) {
  auto& sum = clean_confusion[config];
  if (sum.empty()) sum = confusion;
  else
    for (std::size_t i = 0; i < confusion.size(); ++i)
      for (std::size_t j = 0; j < confusion.size(); ++j) sum[i][j] += confusion[i][j];
}

std::vector<std::string> Results::configs() const {
  std::vector<std::string> configs;
  for (const auto& r : records)
    if (std::find(configs.begin(), configs.end(), r.config) == configs.end()) configs.push_back(r.config);
  return configs;
}

std::vector<double> Results::values(const std::string& config, const std::string& condition, const std::string& level,
                                    bool macro_f1) const {
  std::vector<double> v;
  for (const auto& r : records)
    if (r.config == config && r.condition == condition && r.level == level)
      v.push_back(macro_f1 ? r.scores.macro_f1 : r.scores.accuracy);
  return v;
}

std::pair<std::string, double> Results::best_clean(const std::string& level) const {
  std::pair<std::string, double> best{"", 0.0};
  for (const auto& c : configs()) {
    const double m = mean_ci95(values(c, "clean", level, false)).mean;
    if (best.first.empty() || m > best.second) best = {c, m};
  }
  return best;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  AtomicFile f(path);
  f.write(text.data(), text.size());
  f.commit();
}

void write_results_csv(const std::filesystem::path& path, const std::vector<RunRecord>& records) {
  std::ostringstream out;
  out << "method,scope,axis,db_ref,db_floor,train_augment,bn_axis,seed,condition,level,accuracy,macro_f1,epochs,best_"
         "epoch,"
         "train_seconds\n";
  char buf[64];
  for (const auto& r : records) {
    out << csv_field(r.method) << ',' << r.scope << ',' << r.axis << ',' << r.db_ref << ',' << r.db_floor << ','
        << r.train_augment << ',' << r.bn_axis << ',' << r.seed << ',' << r.condition << ',' << r.level << ',';
    std::snprintf(buf, sizeof buf, "%.4f,%.4f,%d,%d,%.2f\n", r.scores.accuracy, r.scores.macro_f1, r.epochs,
                  r.best_epoch, r.train_seconds);
    out << buf;
  }
  write_text(path, out.str());
}

}  // namespace melnorm::detail
