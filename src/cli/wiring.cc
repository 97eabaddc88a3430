#include "cli/wiring.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>

namespace candor {

std::optional<Config> LoadConfigOrComplain(const CommonFlags& flags) {
  std::optional<std::string> path = flags.config_path;
  if (!path && std::filesystem::exists("candor.toml")) path = "candor.toml";
  auto config = LoadConfig(path, ProcessEnvironment());
  if (!config.ok()) {
    std::cerr << "candor: configuration: " << config.status().message() << "\n";
    return std::nullopt;
  }
  if (flags.data_dir) {
    Status applied = ApplySetting(*config, "storage.data_dir", *flags.data_dir);
    if (!applied.ok()) {
      std::cerr << "candor: --data: " << applied.message() << "\n";
      return std::nullopt;
    }
  }
  return *config;
}

std::string SigningKeyPath(const Config& config) {
  return (std::filesystem::path(config.data_dir) / "ledger.key").string();
}

std::string VaultKeyPath(const Config& config) {
  if (!config.vault_key_file.empty()) return config.vault_key_file;
  return (std::filesystem::path(config.data_dir) / "vault.key").string();
}

Result<std::unique_ptr<Store>> OpenDataStore(const Config& config, const Clock& clock) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Status::IoError("cannot create data directory " + config.data_dir + ": " +
                           ec.message());
  }
  ::chmod(config.data_dir.c_str(), 0700);  // conversations are personal data
  return OpenSqliteStore((std::filesystem::path(config.data_dir) / "candor.db").string(), clock);
}

}  // namespace candor
