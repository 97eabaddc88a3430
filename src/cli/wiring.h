// Shared set-up for the subcommands: configuration, data directory, store.
#pragma once

#include <memory>

#include "cli/commands.h"
#include "cli/config.h"
#include "core/clock.h"
#include "store/store.h"

namespace candor {

// Config from file and environment, with the common flags applied. Prints the
// error and returns nullopt on bad configuration.
std::optional<Config> LoadConfigOrComplain(const CommonFlags& flags);

// The ledger's signing key, created (mode 0600) in the data directory on first use.
std::string SigningKeyPath(const Config& config);
// The vault's master key: privacy.master_key_file, or vault.key in the data directory.
std::string VaultKeyPath(const Config& config);

// Creates the data directory (mode 0700) and opens the database in it.
Result<std::unique_ptr<Store>> OpenDataStore(const Config& config, const Clock& clock);

}  // namespace candor
