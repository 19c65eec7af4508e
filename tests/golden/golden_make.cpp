// golden/golden_make.cpp — writes the golden directory (golden_log.hpp):
//   build/tests/golden/golden_make tests/golden/data
// The directory must not exist. Files other than segments and the meta
// files (a spare segment prepared ahead: its name and contents are
// random) are removed, as golden_test.cpp ignores them.
#include "golden/golden_log.hpp"

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  if (std::filesystem::exists(dir)) {
    std::fprintf(stderr, "%s exists: remove it first\n", dir.c_str());
    return 2;
  }
  if (const std::string failed = seglog::golden::write(dir); !failed.empty()) {
    std::fprintf(stderr, "golden_make: %s\n", failed.c_str());
    return 1;
  }
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    const std::string name = file.path().filename().string();
    const bool kept = file.path().extension() == ".seg" || name == "state.json" ||
                      name == "cluster.json" || name == "snapshot.bin";
    std::printf("%s %s (%llu bytes)\n", kept ? "kept   " : "removed", name.c_str(),
                static_cast<unsigned long long>(file.file_size()));
    if (!kept) std::filesystem::remove(file.path());
  }
  return 0;
}
