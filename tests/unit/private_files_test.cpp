#include "meshca/util/private_files.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

// A fresh folder under the system temp folder, removed with everything in it.
struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "meshca-private-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
};

unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

std::size_t entries(const std::string& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

} // namespace

TEST_CASE("a new folder and its missing parents are created 0700") {
  TempDir temp;
  const std::string dir = temp.path + "/a/b";
  const mode_t old_umask = ::umask(0);
  auto made = meshca::ensure_private_dir(dir);
  ::umask(old_umask);
  REQUIRE(made.ok());
  CHECK(made->created);
  CHECK(made->warning.empty());
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(temp.path + "/a") == 0700);
}

TEST_CASE("an existing folder is used as it is, with a warning when others can enter it") {
  TempDir temp;
  REQUIRE(::chmod(temp.path.c_str(), 0755) == 0);
  auto used = meshca::ensure_private_dir(temp.path);
  REQUIRE(used.ok());
  CHECK_FALSE(used->created);
  CHECK(used->warning.find("mode 0755") != std::string::npos);
  CHECK(mode_of(temp.path) == 0755);
  REQUIRE(::chmod(temp.path.c_str(), 0700) == 0);
  CHECK(meshca::ensure_private_dir(temp.path)->warning.empty());
}

TEST_CASE("a file where the folder should be is bad input") {
  TempDir temp;
  const std::string file = temp.path + "/file";
  std::ofstream(file) << "x";
  auto used = meshca::ensure_private_dir(file);
  REQUIRE_FALSE(used.ok());
  CHECK(used.error().status == meshca::ExitStatus::bad_input);
  CHECK(used.error().message.find("is not a folder") != std::string::npos);
  CHECK_FALSE(meshca::ensure_private_dir("").ok());
}

TEST_CASE("a written file is 0600, complete, flushed, and no temporary file is left") {
  TempDir temp;
  int syncs = 0;
  meshca::DurabilityHooks hooks;
  hooks.sync = [&](int fd) {
    ++syncs;
    return ::fsync(fd);
  };
  const mode_t old_umask = ::umask(0);
  auto written = meshca::write_private_file(temp.path, "key.yaml", "secret: data\n", hooks);
  ::umask(old_umask);
  REQUIRE(written.ok());
  CHECK(*written == meshca::WriteOutcome::written);
  CHECK(mode_of(temp.path + "/key.yaml") == 0600);
  CHECK(*meshca::read_whole_file(temp.path + "/key.yaml") == "secret: data\n");
  CHECK(syncs == 2); // the file, then the folder
  CHECK(entries(temp.path) == 1);
}

TEST_CASE("an existing file is never overwritten: same content is reused, other content refused") {
  TempDir temp;
  REQUIRE(meshca::write_private_file(temp.path, "f", "one").ok());
  auto again = meshca::write_private_file(temp.path, "f", "one");
  REQUIRE(again.ok());
  CHECK(*again == meshca::WriteOutcome::already_identical);
  auto other = meshca::write_private_file(temp.path, "f", "two");
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().status == meshca::ExitStatus::bad_input);
  CHECK(other.error().message.find("nothing was overwritten") != std::string::npos);
  CHECK(*meshca::read_whole_file(temp.path + "/f") == "one");
  CHECK(entries(temp.path) == 1);
}

TEST_CASE("a failed flush leaves no file behind") {
  TempDir temp;
  meshca::DurabilityHooks hooks;
  hooks.sync = [](int) {
    errno = EIO;
    return -1;
  };
  auto written = meshca::write_private_file(temp.path, "f", "data", hooks);
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().status == meshca::ExitStatus::cluster_error);
  CHECK(written.error().message.find("cannot flush") != std::string::npos);
  CHECK(entries(temp.path) == 0);
}

TEST_CASE("a file that does not read back as written is removed and reported") {
  TempDir temp;
  meshca::DurabilityHooks hooks;
  hooks.before_read_back = [](const std::string& path) {
    std::ofstream(path, std::ios::trunc) << "garbage";
  };
  auto written = meshca::write_private_file(temp.path, "f", "data", hooks);
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().message.find("does not read back as written") != std::string::npos);
  CHECK_FALSE(meshca::path_exists(temp.path + "/f"));
}

TEST_CASE("removing a file that is not there is fine, an unreadable file is bad input") {
  TempDir temp;
  CHECK(meshca::remove_private_file(temp.path, "absent").ok());
  REQUIRE(meshca::write_private_file(temp.path, "f", "x").ok());
  CHECK(meshca::remove_private_file(temp.path, "f").ok());
  CHECK_FALSE(meshca::path_exists(temp.path + "/f"));
  auto missing = meshca::read_whole_file(temp.path + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().status == meshca::ExitStatus::bad_input);
}
