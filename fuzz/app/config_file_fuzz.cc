// The TOML configuration file (app/config_file.h): any file either loads or is refused with
// kInvalidArgument and a message; nothing else (an exception, a crash) may come of it.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/config_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coffer;
  // One file per fuzzer process, removed when it exits (each run used to leave one in /tmp).
  struct TempFile {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("coffer-config-fuzz-" + std::to_string(::getpid()) + ".toml"))
                           .string();
    ~TempFile() { std::remove(path.c_str()); }
  };
  static const TempFile file;
  const std::string& path = file.path;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  app::Config config;
  const Status status = app::load_config_file(path, config);
  COFFER_FUZZ_CHECK(status.is_ok() || status.code() == Errc::kInvalidArgument);
  COFFER_FUZZ_CHECK(status.is_ok() || !status.message().empty());
  return 0;
}
