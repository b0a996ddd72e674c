// extract --format shards: WebDataset tar shards, the same bytes for any
// number of jobs, written by the writer or by workers (ExtractWorker::write_shard),
// resumable per shard, damaged shards found by their hash and rewritten.
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "dataset/shard_tar.h"
#include "dataset/sources.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "test_util.h"

namespace melnorm {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_audio;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Seven clips of different lengths in two labels (folders), one undecodable.
fs::path make_clips(const TempDir& dir) {
  const fs::path in = dir / "in";
  for (int i = 0; i < 6; ++i)
    write_audio(in / (i % 2 ? "cat" : "dog") / ("c" + std::to_string(i) + ".wav"),
                testing::sine(300.0 + 50.0 * i, 8000, 3000 + 700 * i), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  fs::create_directories(in / "dog");
  std::ofstream(in / "dog" / "zz_broken.wav") << "not audio";
  return in;
}

ExtractOptions shard_options(const fs::path& in, const fs::path& out, int jobs = 1) {
  ExtractOptions o;
  o.input = in;
  o.out_dir = out;
  o.features = resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"hop_length", "64"}, {"n_mels", "20"}});
  o.format = "shards";
  o.shard_size = 3;
  o.jobs = jobs;
  return o;
}

// The files extract publishes (not its journals): the same bytes in both folders.
void expect_same_outputs(const fs::path& a, const fs::path& b) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(a)) {
    const std::string name = e.path().filename().string();
    if (name.front() == '.' || name == "options.json") continue;
    EXPECT_EQ(read_text(e.path()), read_text(b / name)) << name;
    ++n;
  }
  EXPECT_GE(n, 5u);  // manifest, inputs, index, three shards
}

TEST(Shards, ShardsAreWebDatasetTarsOfKeyJsonThenKeyNpy) {
  TempDir dir;
  const fs::path in = make_clips(dir);
  const ExtractSummary s = extract_dataset(shard_options(in, dir / "out"));
  EXPECT_EQ(s.sources, 7u);
  EXPECT_EQ(s.failed, 1u);
  const auto index = nlohmann::json::parse(read_text(dir / "out" / "shards.json"));
  EXPECT_EQ(index["format"], "shards");
  EXPECT_EQ(index["labels"], (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(index["shards"].size(), 3u);  // 3 + 3 + 1 clips
  EXPECT_EQ(index["shards"][2]["clips"], 1);
  EXPECT_EQ(index["shards"][2]["failed"], 1);  // the broken clip: listed last, a gap in its shard
  EXPECT_EQ(index["shards"][2]["rows"], 0);
  const std::string tar = read_text(dir / "out" / "shard-000001.tar");
  EXPECT_EQ(index["shards"][1]["bytes"], tar.size());
  EXPECT_EQ(index["shards"][1]["sha256"], detail::sha256_hex(tar));
  const auto members = detail::tar_members(tar.data(), tar.size(), "shard-000001.tar");
  ASSERT_EQ(members.size(), 6u);
  const auto& [at, size] = members.at("000000004.json");
  const auto meta = nlohmann::json::parse(tar.substr(at, size));
  EXPECT_EQ(meta["clip"], 4);
  EXPECT_EQ(meta["label"], "dog");
  EXPECT_EQ(meta["source"], "dog/c2.wav");  // folders sorted: cat/c1, cat/c3, cat/c5, dog/c0, dog/c2
  const auto& [npy_at, npy_size] = members.at("000000004.npy");
  EXPECT_EQ(tar.substr(npy_at, 6), "\x93NUMPY");
  EXPECT_EQ(npy_size, 128 + 20 * meta["frames"].get<std::size_t>() * 4);
  const OutdirReader r(dir / "out");  // read back by row through the tar index
  EXPECT_EQ(r.row(4)[3], "shard-000001.tar/000000004.npy");
  EXPECT_EQ(r.features(4).rows, 20u);
  EXPECT_EQ(r.features(4).cols, meta["frames"].get<std::size_t>());
  ASSERT_TRUE(r.features_view(4).has_value());
}

TEST(Shards, SameBytesForAnyJobsAndWhenWorkersWriteThem) {
  TempDir dir;
  const fs::path in = make_clips(dir);
  extract_dataset(shard_options(in, dir / "one", 1));
  extract_dataset(shard_options(in, dir / "two", 2));
  expect_same_outputs(dir / "one", dir / "two");
  // A cluster's way: workers write the shards, the writer records their summaries.
  const ExtractPlan plan(shard_options(in, dir / "workers"));
  ExtractWriter writer(plan);
  for (std::size_t k = plan.shard_count(); k-- > 0;) {  // written in any order...
    ExtractWorker worker(plan, nullptr);
    ShardSummary s = worker.write_shard(k);
    if (k == 0) writer.write_shard(std::move(s));  // ...recorded in order
  }
  for (std::size_t k = 1; k < plan.shard_count(); ++k) writer.write_shard(ExtractWorker(plan, nullptr).write_shard(k));
  writer.finish();
  expect_same_outputs(dir / "one", dir / "workers");
  EXPECT_FALSE(fs::exists(dir / "workers" / ".tmp"));
}

TEST(Shards, AnInterruptAnywhereThenResumeEqualsACleanRun) {
  TempDir dir;
  const fs::path in = make_clips(dir);
  extract_dataset(shard_options(in, dir / "clean"));
  struct Interrupt {};
  for (std::size_t stop = 1; stop < 7; ++stop) {
    const fs::path out = dir / ("run" + std::to_string(stop));
    EXPECT_THROW(extract_dataset(shard_options(in, out),
                                 [&](const ExtractProgress& p) {
                                   if (p.sources_done == stop) throw Interrupt{};
                                 }),
                 Interrupt);
    const ExtractSummary s = extract_dataset(shard_options(in, out, 2));
    EXPECT_EQ(s.resumed, stop / 3 * 3) << "a resume starts at the last whole shard";
    expect_same_outputs(dir / "clean", out);
  }
}

TEST(Shards, ADamagedOrMissingShardIsFoundByItsHashAndRewritten) {
  TempDir dir;
  const fs::path in = make_clips(dir);
  extract_dataset(shard_options(in, dir / "clean"));
  extract_dataset(shard_options(in, dir / "out"));
  {  // one byte changed, same size: only the hash finds it
    std::fstream f(dir / "out" / "shard-000000.tar", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(700);
    f.put('\x7f');
  }
  fs::resize_file(dir / "out" / "shard-000001.tar", 1000);  // truncated
  const ExtractSummary s = extract_dataset(shard_options(in, dir / "out"));
  EXPECT_EQ(s.rewritten, 2u);
  expect_same_outputs(dir / "clean", dir / "out");
  fs::remove(dir / "out" / "shard-000002.tar");
  EXPECT_EQ(extract_dataset(shard_options(in, dir / "out")).rewritten, 1u);
  expect_same_outputs(dir / "clean", dir / "out");
  EXPECT_EQ(extract_dataset(shard_options(in, dir / "out")).rewritten, 0u);
}

TEST(Shards, SegmentKeysAndShardSizeOptionAreChecked) {
  TempDir dir;
  const fs::path in = make_clips(dir);
  auto o = shard_options(in, dir / "seg");
  o.features = resolve_pipeline_options(
      {{"sr", "8000"}, {"n_fft", "256"}, {"hop_length", "64"}, {"n_mels", "20"}, {"segment", "0.25"}});
  extract_dataset(o);
  const std::string tar = read_text(dir / "seg" / "shard-000001.tar");
  const auto members = detail::tar_members(tar.data(), tar.size(), "shard-000001.tar");
  EXPECT_TRUE(members.count("000000003_s0000.npy"));
  EXPECT_TRUE(members.count("000000005_s0001.json"));  // dog/c4: 0.725 s, two segments
  for (const auto& [name, where] : members) EXPECT_EQ(name.find('.'), name.rfind('.')) << name;  // no dots in keys
  try {
    resolve_extract_options({{"input", in.string()}, {"out_dir", "x"}, {"shard_size", "10"}});
    ADD_FAILURE() << "shard_size with format npy was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "shard_size");
    EXPECT_NE(std::string(e.what()).find("shard_size=10 applies to format=shards only"), std::string::npos) << e.what();
  }
  EXPECT_THROW(
      resolve_extract_options({{"input", in.string()}, {"out_dir", "x"}, {"format", "shards"}, {"shard_size", "0"}}),
      Error);
}

}  // namespace
}  // namespace melnorm
