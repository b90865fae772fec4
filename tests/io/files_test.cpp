#include "movierec/io/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "movielens_test_support.hpp"
#include "movierec/io/error.hpp"

using namespace movierec;
namespace fs = std::filesystem;

TEST_CASE("write_file_atomically replaces a file and leaves no temporary behind") {
  const testing::TempDir dir;
  const fs::path path = dir.path() / "report.json";
  dir.write("report.json", "old");
  write_file_atomically(path, [](std::ostream& out) { out << "new"; });
  CHECK(testing::read_bytes(path) == "new");
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("write_file_atomically leaves the previous file when the writer throws") {
  const testing::TempDir dir;
  const fs::path path = dir.path() / "report.json";
  dir.write("report.json", "old");
  CHECK_THROWS_AS(write_file_atomically(path,
                                        [](std::ostream& out) {
                                          out << "half";
                                          throw Error("stopped");
                                        }),
                  Error);
  CHECK(testing::read_bytes(path) == "old");
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

// Found when /dev/null turned into a regular file on the test machine: a report written to
// /dev/null by a program run as root had its temporary file renamed over the device.
TEST_CASE("write_file_atomically writes into a device or a FIFO instead of replacing it") {
  write_file_atomically("/dev/null", [](std::ostream& out) { out << "gone"; });
  CHECK(fs::is_character_file("/dev/null"));

  const testing::TempDir dir;
  const fs::path fifo = dir.path() / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // A reader that does not block, so that the writer's open succeeds at once (the text fits the
  // pipe's buffer) and a failure cannot hang the test.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  write_file_atomically(fifo, [](std::ostream& out) { out << "through the pipe"; });
  char buffer[64] = {};
  const ssize_t got = ::read(reader, buffer, sizeof buffer);
  ::close(reader);
  CHECK(std::string(buffer, got > 0 ? static_cast<std::size_t>(got) : 0) == "through the pipe");
  CHECK(fs::is_fifo(fifo));
}

TEST_CASE("write_file_atomically refuses a folder, naming it") {
  const testing::TempDir dir;
  try {
    write_file_atomically(dir.path(), [](std::ostream& out) { out << "x"; });
    FAIL("no error");
  } catch (const Error& error) {
    CHECK_THAT(error.what(),
               Catch::Contains(dir.path().string()) && Catch::Contains("it is a folder"));
  }
  CHECK(fs::is_directory(dir.path()));
}

TEST_CASE("fix_command names each folder that is not its flag's default") {
  CHECK(fix_command("preprocess", {{"--out", "processed", "processed"}}) == "build/bin/preprocess");
  CHECK(fix_command("preprocess", {{"--out", "processed/", "processed"}}) ==
        "build/bin/preprocess");
  CHECK(fix_command("preprocess", {{"--out", "./processed", "processed"}}) ==
        "build/bin/preprocess");
  CHECK(fix_command("preprocess", {{"--out", "other/", "processed"}}) ==
        "build/bin/preprocess --out other/");
  CHECK(fix_command("preprocess", {{"--out", "/data/processed", "processed"}}) ==
        "build/bin/preprocess --out /data/processed");
  CHECK(
      fix_command("train_svd", {{"--processed", "P", "processed"}, {"--out", "A", "artifacts"}}) ==
      "build/bin/train_svd --processed P --out A");
  CHECK(fix_command("train_svd", {{"--processed", "processed", "processed"},
                                  {"--out", "A", "artifacts"}}) == "build/bin/train_svd --out A");
}

// Direct writes go in aligned 8 MB blocks, the last part through the cache: a file of two
// blocks and a ragged end, written in uneven pieces, is byte for byte what was given, either way,
// and on a file system without direct writes (tmpfs) too.
TEST_CASE("OutputFile writes every byte, direct or through the cache, and checksums them") {
  const testing::TempDir dir;
  std::string text;
  for (std::size_t i = 0; text.size() < (std::size_t{17} << 20) + 12345; ++i) {
    text += std::to_string(i * 7919) + (i % 3 == 0 ? ",\n" : ",");
  }
  std::vector<fs::path> folders = {dir.path()};
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec)) folders.push_back("/dev/shm");
  for (const fs::path& folder : folders) {
    for (const bool direct : {true, false}) {
      INFO(folder << (direct ? ", direct" : ", through the cache"));
      const fs::path path = folder / ("movierec-output-test-" + std::to_string(::getpid()));
      OutputFile out(path, direct);
      for (std::size_t at = 0, piece = 1; at < text.size(); at += piece, piece = piece * 3 + 1) {
        out.write(std::string_view(text).substr(at, piece));
      }
      const std::string sum = out.close();
      const std::string written = testing::read_bytes(path);
      const std::string on_disk = file_checksum(path);
      fs::remove(path);
      CHECK(written.size() == text.size());
      CHECK(written == text);
      CHECK(sum == on_disk);
    }
  }
  OutputFile empty(dir.path() / "empty", true);
  CHECK(empty.close() == file_checksum(dir.path() / "empty"));
  CHECK(fs::file_size(dir.path() / "empty") == 0);
}

TEST_CASE("OutputFile names the file it cannot write") {
  const testing::TempDir dir;
  const fs::path path = dir.path() / "missing" / "train.csv";
  CHECK_THROWS_WITH(OutputFile(path, true),
                    "cannot write " + path.string() + ": No such file or directory");
  CHECK_THROWS_WITH(OutputFile(path),
                    "cannot write " + path.string() + ": No such file or directory");
}
