#include "cli/wiring.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/install_layout.h"
#include "nlu/nlu.h"

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
    return Status::IoError("cannot create data directory " + config.data_dir + ": " + ec.message());
  }
  ::chmod(config.data_dir.c_str(), 0700);  // conversations are personal data
  return OpenSqliteStore((std::filesystem::path(config.data_dir) / "candor.db").string(), clock);
}

Result<nlu::Understander> LoadUnderstander(const Config& config) {
  const ShippedFiles shipped = LocateShippedFiles(config.share_dir);
  auto understander = nlu::Understander::Load(
      config.intent_model.empty() ? shipped.IntentModel() : config.intent_model,
      config.distress_model.empty() ? shipped.DistressModel() : config.distress_model,
      config.language == "en" ? nlu::Language::kEnglish : nlu::Language::kGerman);
  if (!understander.ok()) {
    return Status(understander.status().code(),
                  "understanding models: " + understander.status().message() +
                      " (train one with 'candor nlu train', or set nlu.intent_model)");
  }
  return understander;
}

Result<AnsweringParts> LoadAnsweringParts(const Config& config, const std::string& kb_dir,
                                          bool import_demo_kb) {
  AnsweringParts parts;
  const ShippedFiles shipped = LocateShippedFiles(config.share_dir);
  auto knowledge = knowledge::KnowledgeBase::Open(kb_dir);
  if (!knowledge.ok())
    return Status(knowledge.status().code(), "knowledge base: " + knowledge.status().message());
  parts.knowledge = std::make_unique<knowledge::KnowledgeBase>(std::move(*knowledge));
  if (import_demo_kb) {
    auto imported = parts.knowledge->Import(shipped.DemoKnowledgeBase());
    if (!imported.ok()) {
      return Status(imported.status().code(),
                    "demo knowledge base: " + imported.status().message());
    }
  }
  parts.composer = std::make_unique<answer::ExtractiveComposer>(*parts.knowledge);

  const std::string policy_path =
      config.policy_file.empty() ? shipped.DemoPolicy() : config.policy_file;
  auto policy = policy::Policy::Load(policy_path);
  if (!policy.ok()) return Status(policy.status().code(), "policy: " + policy.status().message());
  parts.policy = std::make_unique<policy::Policy>(std::move(*policy));
  const std::string catalogue_path =
      config.intent_catalogue.empty() ? shipped.DemoIntentCatalogue() : config.intent_catalogue;
  auto catalogue = policy::LoadIntentCatalogue(catalogue_path);
  if (!catalogue.ok()) {
    return Status(catalogue.status().code(), "intent catalogue: " + catalogue.status().message());
  }
  parts.catalogue = std::make_unique<policy::IntentCatalogue>(std::move(*catalogue));
  Status known = policy::CheckAgainstCatalogue(*parts.policy, *parts.catalogue);
  if (!known.ok()) return Status(known.code(), "policy: " + known.message());

  auto zone = people::TimeZone::Load(config.time_zone);
  if (!zone.ok())
    return Status(zone.status().code(), "people.time_zone: " + zone.status().message());
  auto hours = people::BusinessHours::Parse(config.business_hours, *zone);
  if (!hours.ok()) {
    return Status(hours.status().code(), "people.business_hours: " + hours.status().message());
  }
  parts.hours = std::make_unique<people::BusinessHours>(std::move(*hours));
  parts.open_hours = [hours = parts.hours.get()](Time t) { return hours->IsOpen(t); };

  if (!config.llm.endpoint.empty()) {
    answer::LlmOptions options;
    options.endpoint = config.llm.endpoint;
    options.model = config.llm.model;
    options.timeout = std::chrono::milliseconds(config.llm.timeout_ms);
    options.attempts = config.llm.attempts;
    if (!config.llm.api_key_env.empty()) {
      const char* key = std::getenv(config.llm.api_key_env.c_str());
      if (key == nullptr) {
        return Status::InvalidArgument("llm.api_key_env names " + config.llm.api_key_env +
                                       ", which is not set");
      }
      options.api_key = key;
    }
    parts.model = std::make_unique<answer::LlmClient>(std::move(options));
  }
  return parts;
}

std::vector<std::unique_ptr<Stage>> AnsweringStages(const AnsweringParts& parts,
                                                    const Clock& clock) {
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(MakeDecideStage(*parts.policy, *parts.catalogue, parts.open_hours, clock));
  stages.push_back(MakeHandoffStage());
  stages.push_back(MakeRetrieveStage(*parts.composer));
  stages.push_back(MakeComposeStage(*parts.composer, parts.model.get(), clock));
  stages.push_back(MakeReviewStage());
  stages.push_back(MakeDeliverStage());
  return stages;
}

}  // namespace candor
