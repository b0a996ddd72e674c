// .npy reading and writing.
#include <fstream>

#include "melnorm/error.h"
#include "melnorm/npy.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::TempDir;

TEST(Npy, RoundTripsFloat32WithAlignedHeader) {
  TempDir dir;
  std::vector<float> data(6);
  for (int i = 0; i < 6; ++i) data[i] = i * 0.5f;
  const std::size_t shape[] = {2, 3};
  write_npy(dir / "a.npy", data, shape);
  const NpyArray a = read_npy(dir / "a.npy");
  EXPECT_EQ(a.dtype, DType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(a.to_float32(), data);
  // numpy pads the header so the data starts on a 64-byte boundary.
  EXPECT_EQ((std::filesystem::file_size(dir / "a.npy") - 24) % 64, 0u);
}

TEST(Npy, WritesNoTemporaryFiles) {
  TempDir dir;
  const std::vector<float> data = {1.0f};
  const std::size_t shape[] = {1};
  write_npy(dir / "b.npy", data, shape);
  std::size_t count = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) count += e.is_regular_file();
  EXPECT_EQ(count, 1u);
}

// A typo in an output path does not become a new folder: the missing folder is named.
TEST(Npy, AMissingFolderOfTheOutputFileIsRefusedNamingIt) {
  TempDir dir;
  const std::vector<float> data = {1.0f};
  const std::size_t shape[] = {1};
  try {
    write_npy(dir / "sub" / "b.npy", data, shape);
    FAIL() << "wrote into a missing folder";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("the folder " + (dir / "sub").string() + " does not exist"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "sub"));
  std::ofstream(dir / "file") << "x";
  EXPECT_THROW(write_npy(dir / "file" / "b.npy", data, shape), Error);  // a file where the folder should be
}

TEST(Npy, ReadsFortranOrderAndBigEndian) {
  TempDir dir;
  auto write_raw = [&](const std::string& name, const std::string& dict, const std::vector<unsigned char>& bytes) {
    testing::write_raw_npy(dir / name, dict, bytes.data(), bytes.size());
  };
  // [[1, 2, 3], [4, 5, 6]] as int16 stored column-major: 1 4 2 5 3 6
  write_raw("f.npy", "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }",
            {1, 0, 4, 0, 2, 0, 5, 0, 3, 0, 6, 0});
  EXPECT_EQ(read_npy(dir / "f.npy").to_float32(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // big-endian float32 1.0 = 3f 80 00 00
  write_raw("be.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", {0x3f, 0x80, 0, 0});
  EXPECT_EQ(read_npy(dir / "be.npy").to_float32(), (std::vector<float>{1.0f}));
  // truncated data
  write_raw("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", {0, 0, 0x80, 0x3f});
  try {
    read_npy(dir / "short.npy");
    FAIL();
  } catch (const Error& e) { EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what(); }
  write_raw("c.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_THROW(read_npy(dir / "c.npy"), Error);
}

TEST(Npy, NotAnNpyFileIsAnError) {
  TempDir dir;
  std::ofstream(dir / "x.npy") << "hello";
  try {
    read_npy(dir / "x.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid .npy file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_npy(dir / "missing.npy"), Error);
}

TEST(Npy, ShapeMismatchIsAnError) {
  TempDir dir;
  const std::vector<float> data = {1.0f, 2.0f};
  const std::size_t shape[] = {3};
  EXPECT_THROW(write_npy(dir / "x.npy", data, shape), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.npy"));
}

}  // namespace
}  // namespace melnorm
