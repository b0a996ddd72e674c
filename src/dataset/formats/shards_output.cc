// Format shards: WebDataset tar shards of shard_size clips each
// (shard-000000.tar, ...; a row is KEY.json + KEY.npy, see dataset/shard_tar.h)
// and shards.json, their index (rows, bytes, SHA-256 of each). A shard is
// written under a temporary name and renamed: it exists whole or not at all.
// On one machine the writer fills them clip by clip; on a cluster each worker
// writes its own (ExtractWorker::write_shard) and the writer adopts them. A
// resume keeps the shards whose bytes match the index and redoes the rest.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/format.h"
#include "core/sha256.h"
#include "dataset/output_format.h"
#include "dataset/shard_tar.h"
#include "dataset/sources.h"
#include "io/append_file.h"
#include "io/atomic_file.h"
#include "io/mapped_file.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace fs = std::filesystem;

namespace {

// Whether a shard on disk is the one the journal recorded (size, then SHA-256).
bool verified(const fs::path& file, const ShardSummary& recorded) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) != recorded.bytes || ec) return false;
  try {
    return sha256_file(file) == recorded.sha256;
  } catch (const Error&) { return false; }
}

class ShardsSink final : public OutputSink {
 public:
  ShardsSink(const SinkContext& context, const SinkResume& resume)
      : context_(context), size_(context.shard_size), n_(context.sources->sources.size()), source_(resume.next_source) {
    if (size_ == 0) throw_invalid_argument("shard_size", "shard_size must be >= 1");
    if (source_ % size_ != 0 && source_ != n_)
      throw Error(ErrorCode::kInvalidData, "out_dir",
                  context.out_dir.string() + ": the journal resumes at clip " + num(source_) +
                      ", inside a shard; remove OUTDIR or choose another");
    recover(std::min(n_, source_) / size_ + (source_ == n_ && n_ % size_ ? 1 : 0));
  }

  std::string write_row(const std::string&, std::size_t segment, std::size_t, ExtractRow& row) override {
    open_shard();
    ++current_.ok_rows;
    return tar_->add_row(*context_.sources, source_, segment, context_.segmented, row, context_.dtype, context_.n_mels);
  }

  void end_source(std::size_t failed) override {
    open_shard();
    current_.failed += failed;
    current_.rows = current_.ok_rows + current_.failed;
    ++current_.clips;
    if (++source_ % size_ == 0 || source_ == n_) {
      std::tie(current_.bytes, current_.sha256) = tar_->commit();
      tar_.reset();
      record(current_);
    }
  }

  bool durable() const override { return !tar_; }

  void adopt(const ShardSummary& part) override {
    if (tar_ || part.first_clip != source_ || part.shard != source_ / size_ ||
        part.clips != std::min(size_, n_ - source_))
      throw_invalid_argument("shard", "shard " + num(part.shard) + " (clips " + num(part.first_clip) + "+" +
                                          num(part.clips) + ") is not the next one: clip " + num(source_) + " is");
    record(part);
    source_ += part.clips;
  }

  std::vector<std::size_t> redo() const override { return redo_; }

  void rewrote(const ShardSummary& part) override {
    if (std::find(redo_.begin(), redo_.end(), part.shard) == redo_.end())
      throw_invalid_argument("shard", "shard " + num(part.shard) + " was not to be redone");
    done_[part.shard] = part;
    std::erase(redo_, part.shard);
    rewrite_journal();
  }

  void finish(std::size_t ok_rows) override {
    if (!redo_.empty())
      throw_invalid_argument(
          "shard", num(redo_.size()) + " damaged shards are still to be rewritten, first " + shard_file(redo_.front()));
    write_index(ok_rows);
  }

 private:
  // The shards an earlier run finished (the first `shards`), checked against their files.
  void recover(std::size_t shards) {
    const fs::path journal = context_.out_dir / kShardJournal;
    std::ifstream in(journal);
    for (std::string line; std::getline(in, line);)
      if (auto s = parse_shard_journal_line(line); s && s->shard < shards && s->first_clip == s->shard * size_)
        done_[s->shard] = *s;
    for (std::size_t k = 0; k < shards; ++k)
      if (!done_.count(k) || !verified(context_.out_dir / shard_file(k), done_[k])) redo_.push_back(k);
    for (std::size_t k : redo_) done_.erase(k);
    rewrite_journal();
  }

  void rewrite_journal() {
    std::string text;
    for (const auto& [k, s] : done_) text += shard_journal_line(s);
    {
      AtomicFile f(context_.out_dir / kShardJournal, context_.tmp_dir);
      f.write(text.data(), text.size());
      f.commit();
    }
    journal_.reset();
    journal_.emplace(context_.out_dir / kShardJournal, text.size());
  }

  void open_shard() {
    if (tar_) return;
    tar_.emplace(context_.out_dir, context_.tmp_dir, source_ / size_);
    current_ = ShardSummary{.shard = source_ / size_, .first_clip = source_};
  }

  void record(const ShardSummary& s) {
    ShardSummary kept = s;
    kept.manifest.clear();
    journal_->append(shard_journal_line(kept));
    done_[s.shard] = std::move(kept);
  }

  void write_index(std::size_t ok_rows) const {
    std::set<std::string> labels;
    for (const Source& src : context_.sources->sources)
      if (!src.label.empty()) labels.insert(src.label);
    nlohmann::ordered_json j;
    j["format"] = "shards";
    j["version"] = kShardIndexVersion;
    j["shard_size"] = size_;
    j["dtype"] = to_string(context_.dtype);
    j["n_mels"] = context_.n_mels;
    j["labels"] = std::vector<std::string>(labels.begin(), labels.end());
    j["rows"] = ok_rows;
    nlohmann::ordered_json shards = nlohmann::ordered_json::array();
    for (const auto& [k, s] : done_)
      shards.push_back({{"file", shard_file(k)},
                        {"first_clip", s.first_clip},
                        {"clips", s.clips},
                        {"rows", s.ok_rows},
                        {"failed", s.failed},
                        {"bytes", s.bytes},
                        {"sha256", s.sha256}});
    j["shards"] = std::move(shards);
    j["complete"] = true;
    const std::string text = j.dump(1) + "\n";
    AtomicFile f(context_.out_dir / kShardIndex, context_.tmp_dir);
    f.write(text.data(), text.size());
    f.commit();
  }

  SinkContext context_;
  std::size_t size_, n_, source_;
  std::optional<ShardTarWriter> tar_;  // the shard being filled (one machine)
  ShardSummary current_;
  std::map<std::size_t, ShardSummary> done_;  // finished shards by index
  std::vector<std::size_t> redo_;             // earlier shards missing or damaged
  std::optional<AppendFile> journal_;
};

// One shard mapped, with where each member lies.
struct MappedShard {
  MappedFile file;
  std::map<std::string, std::pair<std::size_t, std::size_t>> members;
  explicit MappedShard(const fs::path& path) : file(path), members(tar_members(file.data(), file.size(), path)) {}
};

// Rows are read in place from the mapped shard, through its member index.
class ShardsReader final : public OutputReader {
 public:
  ShardsReader(fs::path out_dir, DType dtype, std::size_t n_mels)
      : out_dir_(std::move(out_dir)), dtype_(dtype), n_mels_(n_mels) {
    std::error_code ec;
    if (!fs::exists(out_dir_ / kShardIndex, ec))
      throw Error(
          ErrorCode::kIo, "out_dir",
          (out_dir_ / kShardIndex).string() + ": missing; the extraction has not finished (re-run it to resume)");
  }

  std::optional<FeaturesView> view(const std::string& output, std::size_t n_frames) const override {
    const std::size_t slash = output.find('/');
    if (slash == std::string::npos)
      throw Error(ErrorCode::kInvalidData, "out_dir", "output '" + output + "' is not SHARD.tar/KEY.npy");
    const auto shard = mapped(output.substr(0, slash));
    const std::string member = output.substr(slash + 1);
    const auto it = shard->members.find(member);
    const std::size_t shape[] = {n_mels_, n_frames};
    const std::string header = npy_header(dtype_, shape);
    const std::size_t bytes = n_mels_ * n_frames * (dtype_ == DType::kFloat16 ? 2 : 4);
    if (it == shard->members.end() || it->second.second != header.size() + bytes ||
        header.compare(0, header.size(), shard->file.data() + it->second.first, header.size()) != 0)
      throw Error(ErrorCode::kInvalidData, "out_dir",
                  shard->file.path().string() + ": no member " + member + " of [" + num(n_mels_) + ", " +
                      num(n_frames) + "] " + to_string(dtype_) + " as manifest.csv says; re-run the extraction");
    return FeaturesView{.data = shard->file.data() + it->second.first + header.size(),
                        .dtype = dtype_,
                        .n_mels = n_mels_,
                        .frames = n_frames,
                        .owner = shard};
  }

  Matrix row(const std::string& output, std::size_t n_frames) const override {
    const FeaturesView v = *view(output, n_frames);
    const auto* bytes = static_cast<const std::byte*>(v.data);
    const std::size_t size = v.n_mels * v.frames * (dtype_ == DType::kFloat16 ? 2 : 4);
    NpyArray a{.dtype = dtype_, .shape = {v.n_mels, v.frames}, .data = {bytes, bytes + size}};
    Matrix m(v.n_mels, v.frames);
    m.data = a.to_float32();
    return m;
  }

 private:
  std::shared_ptr<const MappedShard> mapped(const std::string& file) const {
    std::lock_guard<std::mutex> hold(mutex_);
    auto& slot = shards_[file];
    if (!slot) slot = std::make_shared<const MappedShard>(out_dir_ / file);
    return slot;
  }

  fs::path out_dir_;
  DType dtype_;
  std::size_t n_mels_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<const MappedShard>> shards_;
};

}  // namespace

extern const OutputFormat kShardsOutput;
const OutputFormat kShardsOutput{
    .name = "shards",
    .help = "WebDataset tar shards of shard_size clips, written in parallel (a cluster's workers write their own)",
    .same_shape_rows = false,
    .encoded_rows = true,
    .written = {kShardIndex},
    .open = [](const SinkContext& c, const SinkResume& r) -> std::unique_ptr<OutputSink> {
      return std::make_unique<ShardsSink>(c, r);
    },
    .resume_file = [](const fs::path&) { return fs::path(); },
    .read = [](const fs::path& out_dir, DType dtype, std::size_t, std::size_t n_mels, std::size_t)
        -> std::unique_ptr<OutputReader> { return std::make_unique<ShardsReader>(out_dir, dtype, n_mels); },
};

}  // namespace melnorm::detail
