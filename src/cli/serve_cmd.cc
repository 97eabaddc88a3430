// candor serve: wires the store, the pipeline and the server, then serves.
#include <iostream>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/install_layout.h"
#include "cli/wiring.h"
#include "core/log.h"
#include "knowledge/knowledge.h"
#include "ledger/ledger.h"
#include "nlu/nlu.h"
#include "pipeline/pipeline.h"
#include "pipeline/protector.h"
#include "privacy/privacy.h"
#include "privacy/vault.h"
#include "server/auth.h"
#include "server/server.h"

namespace candor {
namespace {

constexpr const char* kDemoAgent = "demo";
constexpr const char* kDemoPassword = "candor-demo";

// Seeds an empty database with an admin to log in as and one conversation, so
// a first look at the product has something in it.
Status SeedDemo(Store& store, const Protector& protector, const Clock& clock) {
  if (store.FindAgentByName(kDemoAgent).ok()) return Status::Ok();
  auto hash = HashPassword(kDemoPassword);
  if (!hash.ok()) return hash.status();
  auto agent = store.AddAgent({0, kDemoAgent, AgentRole::kAdmin, *hash, clock.Now()});
  if (!agent.ok()) return agent.status();
  ConversationRecord conversation{"c_demo", HashToken(NewToken("ct")), clock.Now(), 0,
                                  protector.NewConversationKey("c_demo")};
  CANDOR_RETURN_IF_ERROR(store.CreateConversation(conversation));
  auto message = AppendAndWait(
      store, {conversation.id,
              MessageEvent{Author::kCustomer,
                           "Guten Tag, meine Karte ist noch nicht angekommen. Wann kommt sie?", ""},
              std::nullopt});
  return message.ok() ? Status::Ok() : message.status();
}

}  // namespace

int RunServe(const ServeFlags& flags) {
  if (!InitCrypto().ok()) return 1;
  auto config = LoadConfigOrComplain(flags.common);
  if (!config) return 2;
  if (flags.port) config->server.port = static_cast<uint16_t>(*flags.port);
  if (flags.bind) config->server.bind = *flags.bind;
  if (flags.web_dir) config->server.web_dir = *flags.web_dir;
  if (config->server.web_dir.empty())
    config->server.web_dir = LocateShippedFiles(config->share_dir).WebDir();

  SystemClock clock;
  Logger logger(stderr, config->log_level, clock);
  auto opened = OpenDataStore(*config, clock);
  if (!opened.ok()) {
    std::cerr << "candor: " << opened.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<Store> store = std::move(*opened);

  auto key = ledger::LoadOrCreateSigningKey(SigningKeyPath(*config));
  if (!key.ok()) {
    std::cerr << "candor: ledger key: " << key.status().message() << "\n";
    return 1;
  }
  auto ledger = LedgerService::Open(*store, std::move(*key), config->ledger, clock, logger);
  if (!ledger.ok()) {
    std::cerr << "candor: ledger: " << ledger.status().message() << "\n";
    return 1;
  }
  (*ledger)->Start();

  privacy::ScannerOptions scanner_options;
  scanner_options.published_phone_numbers = config->published_phone_numbers;
  scanner_options.tag_names = config->tag_names;
  auto scanner = privacy::PiiScanner::Create(scanner_options);
  if (!scanner.ok()) {
    std::cerr << "candor: personal-data scanner: " << scanner.status().message() << "\n";
    return 1;
  }
  auto master = vault::LoadOrCreateMasterKey(VaultKeyPath(*config));
  if (!master.ok()) {
    std::cerr << "candor: vault key: " << master.status().message() << "\n";
    return 1;
  }
  auto understander = LoadUnderstander(*config);
  if (!understander.ok()) {
    std::cerr << "candor: " << understander.status().message() << "\n";
    return 1;
  }
  // The knowledge base agents search and answers cite: <data>/kb. The demo
  // brings the bank's articles; a deployment runs 'candor kb import'.
  auto parts = LoadAnsweringParts(*config, config->data_dir + "/kb", flags.demo);
  if (!parts.ok()) {
    std::cerr << "candor: " << parts.status().message() << "\n";
    return 1;
  }
  auto& knowledge = parts->knowledge;
  KnowledgeSearch knowledge_search = [&knowledge](
                                         const std::string& query, const std::string& language,
                                         size_t limit) -> Result<std::vector<KnowledgeHit>> {
    auto hits = knowledge->Search(query, language, limit);
    if (!hits.ok()) return hits.status();
    std::vector<KnowledgeHit> out;
    for (auto& hit : *hits) {
      out.push_back({hit.article_id, hit.title, hit.url, hit.heading, hit.passage, hit.score});
    }
    return out;
  };
  Protector protector(*store, *scanner, std::move(*master));
  if (flags.demo) {
    Status seeded = SeedDemo(*store, protector, clock);
    if (!seeded.ok()) {
      std::cerr << "candor: demo data: " << seeded.message() << "\n";
      return 1;
    }
  }

  StoreEventSink sink(*store);
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(MakeReceiveStage(*store));
  stages.push_back(MakeProtectStage(protector));
  stages.push_back(MakeUnderstandStage(*understander));
  Runner intake(std::move(stages), sink, clock);
  Runner answering(AnsweringStages(*parts, clock), sink, clock);

  auto zone = people::TimeZone::Load(config->time_zone);
  if (!zone.ok()) {
    std::cerr << "candor: people.time_zone: " << zone.status().message() << "\n";
    return 1;
  }
  KnowledgeArticles knowledge_articles = [&knowledge]() -> Result<std::vector<KnowledgeArticle>> {
    auto articles = knowledge->Articles();
    if (!articles.ok()) return articles.status();
    std::vector<KnowledgeArticle> out;
    for (auto& a : *articles)
      out.push_back({a.id, a.title, a.language, a.url, a.reviewed_on, a.tags});
    return out;
  };
  const policy::Policy& policy_in_force = *parts->policy;
  auto policy_document = [&policy_in_force]() {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& rule : policy_in_force.rules()) {
      rules.push_back({{"name", rule.name},
                       {"line", rule.line},
                       {"action", policy::ActionName(rule.action)},
                       {"when", rule.DescribeConditions()},
                       {"reason", {{"de", rule.reason_de}, {"en", rule.reason_en}}}});
    }
    return nlohmann::json{{"file", policy_in_force.source_name()}, {"rules", rules}};
  };
  ServerDeps deps{*store,   intake, answering, protector,
                  **ledger, clock,  logger,    std::move(knowledge_search)};
  deps.knowledge_articles = std::move(knowledge_articles);
  deps.business_hours = parts->hours.get();
  deps.time_zone = *zone;
  deps.policy_document = policy_document;
  auto server = std::make_unique<Server>(config->server, std::move(deps));
  auto port = server->Listen();
  if (!port.ok()) {
    std::cerr << "candor: " << port.status().message() << "\n";
    return 1;
  }
  const std::string host = config->server.bind == "0.0.0.0" ? "127.0.0.1" : config->server.bind;
  std::cout << "candor listening on http://" << host << ":" << *port << std::endl;
  std::cout << "  chat: http://" << host << ":" << *port << "/chat  agents: /agent  admin: /admin"
            << std::endl;
  if (flags.demo) {
    std::cout << "demo agent: name '" << kDemoAgent << "', password '" << kDemoPassword << "'"
              << std::endl;
  }
  logger.Info("started", {{"port", *port}, {"data_dir", config->data_dir}});
  server->Run();
  // The ledger signs its last checkpoint while the store is open; then the store
  // finishes its queued writes (their callbacks still reach the stopped server
  // and the ledger); then the rest goes.
  (*ledger)->Stop();
  store.reset();
  ledger->reset();
  server.reset();
  return 0;
}

}  // namespace candor
