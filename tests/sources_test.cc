// Labels CSVs as datasets ship them: a UTF-8 byte order mark before the
// header, and path/label columns named otherwise (UrbanSound8K).
#include <fstream>

#include "dataset/sources.h"
#include "melnorm/error.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::TempDir;

std::string error_of(const std::filesystem::path& input, const std::filesystem::path& labels,
                     const detail::LabelColumns& columns = {}) {
  try {
    detail::list_sources(input, labels, columns);
  } catch (const Error& e) { return e.what(); }
  return "(no error)";
}

TEST(Sources, ByteOrderMarkBeforeTheHeaderIsSkipped) {
  TempDir dir;
  std::ofstream(dir / "labels.csv") << "\xEF\xBB\xBFpath,label,split\na.wav,cat,train\nb.wav,dog,test\n";
  const auto list = detail::list_sources(dir.path(), dir / "labels.csv");
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_EQ(list.sources[0].name, "a.wav");
  EXPECT_EQ(list.sources[1].label, "dog");
  EXPECT_EQ(list.extra_columns, (std::vector<std::string>{"split"}));
  EXPECT_EQ(list.split_column, 0u);
}

TEST(Sources, ByteOrderMarkBeforeAListFileHeaderIsSkipped) {
  TempDir dir;
  std::ofstream(dir / "list.csv") << "\xEF\xBB\xBFpath\ncat/a.wav\n";
  const auto list = detail::list_sources(dir / "list.csv", std::nullopt);
  ASSERT_EQ(list.sources.size(), 1u);
  EXPECT_EQ(list.sources[0].name, "cat/a.wav");
}

TEST(Sources, NamedColumnsMayBeAnywhere) {
  TempDir dir;
  std::ofstream(dir / "UrbanSound8K.csv") << "\xEF\xBB\xBF"
                                             "fsID,slice_file_name,split,class,salience\n"
                                             "100032,100032-3-0-0.wav,train,dog_bark,1\n"
                                             "100263,\"100263-2-0-117.wav\",test,children_playing,2\n";
  const auto list =
      detail::list_sources(dir.path(), dir / "UrbanSound8K.csv", {.path = "slice_file_name", .label = "class"});
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_EQ(list.extra_columns, (std::vector<std::string>{"fsID", "split", "salience"}));
  EXPECT_EQ(list.split_column, 1u);
  EXPECT_EQ(list.sources[0].name, "100032-3-0-0.wav");
  EXPECT_EQ(list.sources[0].path, dir / "100032-3-0-0.wav");
  EXPECT_EQ(list.sources[0].label, "dog_bark");
  EXPECT_EQ(list.sources[0].extra, (std::vector<std::string>{"100032", "train", "1"}));
  EXPECT_EQ(list.sources[1].name, "100263-2-0-117.wav");
  EXPECT_EQ(list.sources[1].label, "children_playing");
  EXPECT_EQ(list.sources[1].extra, (std::vector<std::string>{"100263", "test", "2"}));
}

TEST(Sources, MissingNamedColumnNamesTheFileColumnAndHeader) {
  TempDir dir;
  std::ofstream(dir / "labels.csv") << "fold,class,fsID\n1,dog_bark,100032\n";
  const std::string message = error_of(dir.path(), dir / "labels.csv", {.path = "slice_file_name", .label = "class"});
  EXPECT_NE(message.find("labels.csv: no column 'slice_file_name'; the header has: fold, class, fsID"),
            std::string::npos)
      << message;
}

TEST(Sources, DefaultColumnsStillMustLeadTheHeader) {
  TempDir dir;
  std::ofstream(dir / "labels.csv") << "label,path\ncat,a.wav\n";
  const std::string message = error_of(dir.path(), dir / "labels.csv");
  EXPECT_NE(message.find("the first line must start with the columns path,label"), std::string::npos) << message;
}

}  // namespace
}  // namespace melnorm
