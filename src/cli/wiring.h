// Shared set-up for the subcommands: configuration, data directory, store.
#pragma once

#include <memory>

#include "answer/answer.h"
#include "answer/llm.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "core/clock.h"
#include "knowledge/knowledge.h"
#include "people/people.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
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

namespace nlu {
class Understander;
}
// The intent and distress models of the configuration (the ones built with
// candor unless it names its own).
Result<nlu::Understander> LoadUnderstander(const Config& config);

// What the answering stages work with, loaded from the configuration: the
// knowledge base, the composer (and the language model, when configured),
// the policy and the intents' tags.
struct AnsweringParts {
  std::unique_ptr<knowledge::KnowledgeBase> knowledge;
  std::unique_ptr<answer::ExtractiveComposer> composer;
  std::unique_ptr<answer::LlmClient> model;  // null without llm.endpoint
  std::unique_ptr<policy::Policy> policy;
  std::unique_ptr<policy::IntentCatalogue> catalogue;
  std::unique_ptr<people::BusinessHours> hours;  // people.business_hours in people.time_zone
  OpenHours open_hours;
};
// The knowledge base lives in `kb_dir`; with `import_demo_kb` the demo bank's
// articles are imported into it first.
Result<AnsweringParts> LoadAnsweringParts(const Config& config, const std::string& kb_dir,
                                          bool import_demo_kb);

// decide → handoff → retrieve → compose → review → deliver.
std::vector<std::unique_ptr<Stage>> AnsweringStages(const AnsweringParts& parts,
                                                    const Clock& clock);

}  // namespace candor
