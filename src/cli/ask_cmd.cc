// candor ask / candor policy explain: one message through the whole pipeline
// (receive → protect → understand → decide → … → deliver) on a scratch
// database, printing what was decided and said, and why.
#include <unistd.h>

#include <filesystem>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/wiring.h"
#include "nlu/nlu.h"
#include "pipeline/protector.h"
#include "privacy/privacy.h"
#include "privacy/vault.h"
#include "server/auth.h"

namespace candor {
namespace {

// A scratch directory, removed again when the command ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "candor-ask-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status RunTurn(Runner& runner, Turn turn, Turn* finished) {
  std::promise<std::pair<Status, Turn>> promise;
  auto future = promise.get_future();
  runner.Run(std::move(turn), [&promise](Status status, const Turn& t) {
    promise.set_value({status, t});
  });
  auto [status, result] = future.get();
  *finished = std::move(result);
  return status;
}

struct AskResult {
  nlohmann::json decision = nlohmann::json::object();
  std::string trace;
};

Result<AskResult> Ask(const AskFlags& flags) {
  auto config = LoadConfigOrComplain(flags.common);
  if (!config) return Status::InvalidArgument("bad configuration");
  ScratchDir scratch;
  if (scratch.path().empty()) return Status::IoError("cannot create a scratch directory");
  SystemClock clock;
  auto store = OpenSqliteStore(scratch.path() + "/candor.db", clock);
  if (!store.ok()) return store.status();
  privacy::ScannerOptions scanner_options;
  scanner_options.published_phone_numbers = config->published_phone_numbers;
  scanner_options.tag_names = config->tag_names;
  auto scanner = privacy::PiiScanner::Create(scanner_options);
  if (!scanner.ok()) return scanner.status();
  auto master = vault::LoadOrCreateMasterKey(scratch.path() + "/vault.key");
  if (!master.ok()) return master.status();
  auto understander = LoadUnderstander(*config);
  if (!understander.ok()) return understander.status();
  // The deployment's knowledge base when --data names one, else the demo's.
  const bool own_kb = flags.common.data_dir.has_value();
  auto parts = LoadAnsweringParts(
      *config, own_kb ? config->data_dir + "/kb" : scratch.path() + "/kb", !own_kb);
  if (!parts.ok()) return parts.status();

  Protector protector(**store, *scanner, std::move(*master));
  ConversationRecord conversation{"c_ask", HashToken(NewToken("ct")), clock.Now(), 0,
                                  protector.NewConversationKey("c_ask")};
  CANDOR_RETURN_IF_ERROR((*store)->CreateConversation(conversation));

  StoreEventSink sink(**store);
  std::vector<std::unique_ptr<Stage>> intake_stages;
  intake_stages.push_back(MakeReceiveStage(**store));
  intake_stages.push_back(MakeProtectStage(protector));
  intake_stages.push_back(MakeUnderstandStage(*understander));
  Runner intake(std::move(intake_stages), sink, clock);
  Runner answering(AnsweringStages(*parts, clock), sink, clock);

  Turn turn;
  turn.conversation_id = conversation.id;
  turn.incoming = true;
  turn.text = flags.text;
  Turn taken;
  CANDOR_RETURN_IF_ERROR(RunTurn(intake, std::move(turn), &taken));
  if (!taken.stored->result || !taken.stored->result->ok()) {
    return Status::Internal("the message was not stored");
  }
  Turn answer;
  answer.conversation_id = conversation.id;
  answer.masked_text = taken.masked_text;
  answer.understanding = taken.understanding;
  answer.message_seq = (*taken.stored->result)->seq;
  answer.asked_for_person = flags.person;
  Turn answered;
  CANDOR_RETURN_IF_ERROR(RunTurn(answering, std::move(answer), &answered));

  auto events = (*store)->ReadEvents(conversation.id, 0, 1000);
  if (!events.ok()) return events.status();
  AskResult result;
  nlohmann::json& out = result.decision;
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& event : *events) {
    if (const auto* u = std::get_if<UnderstandingEvent>(&event.body)) {
      out["intent"] = u->intent;
      out["confidence"] = u->confidence;
      out["language"] = u->language;
      out["signals"] = {{"distress", u->distress}, {"out_of_scope", !u->in_scope}};
    } else if (const auto* d = std::get_if<DecisionEvent>(&event.body)) {
      out["action"] = DecisionActionName(d->action);
      out["rule"] = d->rule;
      out["reason"] = {{"de", d->reason_de}, {"en", d->reason_en}};
      result.trace = d->trace;
    } else if (const auto* w = std::get_if<WorkStepEvent>(&event.body)) {
      if (w->status == StepStatus::kStarted) continue;
      nlohmann::json step = {
          {"stage", w->stage},
          {"status", StepStatusName(w->status)},
          {"ms", w->finished_at ? ToUnixMillis(*w->finished_at) - ToUnixMillis(w->started_at) : 0}};
      if (!w->detail.empty()) step["detail"] = w->detail;
      steps.push_back(std::move(step));
    } else if (const auto* m = std::get_if<MessageEvent>(&event.body)) {
      if (m->author == Author::kCustomer) {
        out["masked"] = m->text;
      } else if (m->why) {
        out["answer"] = m->text;
        nlohmann::json sources = nlohmann::json::array();
        for (const auto& s : m->why->sources) {
          sources.push_back({{"title", s.title}, {"url", s.url}, {"passage", s.passage}});
        }
        out["sources"] = sources;
        out["composer"] = m->why->composer;
        out["answer_confidence"] = m->why->confidence;
        out["dont_know"] = m->why->dont_know;
      }
    } else if (const auto* draft = std::get_if<DraftEvent>(&event.body)) {
      out["answer"] = draft->text;  // held for a person's approval
      out["held_for_review"] = true;
      nlohmann::json sources = nlohmann::json::array();
      if (draft->why) {
        for (const auto& s : draft->why->sources) {
          sources.push_back({{"title", s.title}, {"url", s.url}, {"passage", s.passage}});
        }
      }
      out["sources"] = sources;
    }
  }
  if (!out.contains("sources")) out["sources"] = nlohmann::json::array();
  out["steps"] = steps;
  return result;
}

}  // namespace

int RunAsk(const AskFlags& flags) {
  if (!InitCrypto().ok()) return 1;
  if (flags.text.empty()) {
    std::cerr << "candor ask: the message is empty\n";
    return 2;
  }
  auto result = Ask(flags);
  if (!result.ok()) {
    std::cerr << "candor ask: " << result.status().message() << "\n";
    return result.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const nlohmann::json& d = result->decision;
  if (flags.explain) {
    std::cout << result->trace;
    return 0;
  }
  if (flags.json) {
    std::cout << d.dump(2) << "\n";
    return 0;
  }
  std::cout << "understood: " << d.value("intent", "") << " (" << d.value("language", "")
            << ", confidence " << d.value("confidence", 0.0) << ")\n"
            << "decision:   " << d.value("action", "") << " by rule " << d.value("rule", "")
            << "\nreason:     "
            << d["reason"].value(d.value("language", "") == "en" ? "en" : "de", "") << "\n";
  if (d.contains("answer")) {
    std::cout << (d.value("held_for_review", false) ? "draft (a person approves it first):\n"
                                                    : "answer:\n")
              << "  " << d["answer"].get<std::string>() << "\n";
  }
  int n = 0;
  for (const auto& s : d["sources"]) {
    std::cout << "  [" << ++n << "] " << s["title"].get<std::string>() << " — "
              << s["url"].get<std::string>() << "\n";
  }
  std::cout << "steps:     ";
  for (const auto& s : d["steps"]) {
    std::cout << " " << s["stage"].get<std::string>() << "(" << s["ms"].get<int64_t>() << " ms)";
  }
  std::cout << "\n";
  return 0;
}

}  // namespace candor
