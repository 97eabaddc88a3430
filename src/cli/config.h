// Configuration: defaults, then candor.toml, then CANDOR_* environment
// variables, then command-line flags (applied by the caller), each overriding
// the one before. Every setting has one entry in a table (config.cc) naming its
// TOML key and its environment variable, so the three sources cannot drift.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/log.h"
#include "core/status.h"
#include "server/server.h"

namespace candor {

struct Config {
  ServerOptions server;
  LedgerOptions ledger;
  std::string data_dir = "var";
  // The models, web front end and demo data candor ships with. Empty: found
  // from the binary's own place (cli/install_layout.h).
  std::string share_dir;
  std::string vault_key_file;  // empty: <data_dir>/vault.key
  // The bank's own published phone numbers, never masked as personal data.
  std::vector<std::string> published_phone_numbers = {"+49 116 116"};
  // The name tagger on top of the rules (more names found, about half the speed).
  bool tag_names = false;
  std::string intent_model;      // empty: the demo bank's, built with candor
  std::string distress_model;    // empty: the one built with candor
  std::string language = "de";   // the deployment's main language: de or en
  std::string policy_file;       // empty: the demo bank's policy
  std::string intent_catalogue;  // empty: the demo bank's intents.json
  // The optional language model (an OpenAI-compatible chat-completions endpoint).
  struct Llm {
    std::string endpoint;  // empty: none; answers are extractive
    std::string model;
    std::string api_key_env;  // the variable holding the key (the key never sits in a file)
    int64_t timeout_ms = 20000;
    int attempts = 2;
  } llm;
  std::string time_zone = "Europe/Berlin";
  std::string business_hours = "Mo-Fr 08:00-18:00";
  LogLevel log_level = LogLevel::kInfo;
};

struct SettingInfo {
  std::string toml_key;  // "server.port"
  std::string env_var;   // "CANDOR_PORT"
  std::string help;
};
const std::vector<SettingInfo>& Settings();

using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
GetEnv ProcessEnvironment();

// Reads `toml_path` (if set; an unreadable or invalid file is an error naming
// the line), then the environment. Unknown keys are errors, so typos show.
Result<Config> LoadConfig(const std::optional<std::string>& toml_path, const GetEnv& env);

// Applies one setting by its TOML key, as the flags do ("server.port", "8081").
Status ApplySetting(Config& config, const std::string& toml_key, const std::string& value);

}  // namespace candor
