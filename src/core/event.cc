#include "core/event.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace candor {
namespace {

constexpr std::pair<Author, std::string_view> kAuthors[] = {
    {Author::kCustomer, "customer"},
    {Author::kCustomerAssistant, "customer_assistant"},
    {Author::kAi, "ai"},
    {Author::kPerson, "person"},
    {Author::kAiApproved, "ai_approved"},
};

constexpr std::pair<StepStatus, std::string_view> kStepStatuses[] = {
    {StepStatus::kStarted, "started"},
    {StepStatus::kDone, "done"},
    {StepStatus::kFailed, "failed"}};

constexpr std::pair<DecisionAction, std::string_view> kDecisionActions[] = {
    {DecisionAction::kAnswer, "answer"},
    {DecisionAction::kDraft, "draft"},
    {DecisionAction::kPerson, "person"},
    {DecisionAction::kUnknown, "unknown"}};

constexpr std::pair<ReviewOutcome, std::string_view> kReviewOutcomes[] = {
    {ReviewOutcome::kApproved, "approved"},
    {ReviewOutcome::kEdited, "edited"},
    {ReviewOutcome::kRejected, "rejected"}};

constexpr std::pair<QueueChange, std::string_view> kQueueChanges[] = {
    {QueueChange::kJoined, "joined"},
    {QueueChange::kMoved, "moved"},
    {QueueChange::kTaken, "taken"},
    {QueueChange::kHandedBack, "handed_back"}};

constexpr std::pair<CommitmentChange, std::string_view> kCommitmentChanges[] = {
    {CommitmentChange::kMade, "made"},
    {CommitmentChange::kReminder, "reminder"},
    {CommitmentChange::kMissed, "missed"},
    {CommitmentChange::kKept, "kept"},
    {CommitmentChange::kAnsweredLate, "answered_late"}};

constexpr std::pair<CommitmentSource, std::string_view> kCommitmentSources[] = {
    {CommitmentSource::kQueue, "queue"},
    {CommitmentSource::kAgent, "agent"},
    {CommitmentSource::kBusinessHours, "business_hours"}};

template <typename E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N], E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "unknown";
}

template <typename E, size_t N>
Result<E> Parse(const std::pair<E, std::string_view> (&table)[N], std::string_view name,
                const char* what) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return Status::InvalidArgument(std::string("unknown ") + what + " '" + std::string(name) + "'",
                                 what);
}

}  // namespace

std::string_view AuthorName(Author author) { return NameOf(kAuthors, author); }
Result<Author> ParseAuthor(std::string_view name) { return Parse(kAuthors, name, "author"); }
std::string_view StepStatusName(StepStatus s) { return NameOf(kStepStatuses, s); }
std::string_view DecisionActionName(DecisionAction a) { return NameOf(kDecisionActions, a); }
Result<DecisionAction> ParseDecisionAction(std::string_view name) {
  return Parse(kDecisionActions, name, "action");
}
std::string_view ReviewOutcomeName(ReviewOutcome o) { return NameOf(kReviewOutcomes, o); }
Result<ReviewOutcome> ParseReviewOutcome(std::string_view name) {
  return Parse(kReviewOutcomes, name, "outcome");
}
std::string_view QueueChangeName(QueueChange c) { return NameOf(kQueueChanges, c); }
Result<QueueChange> ParseQueueChange(std::string_view name) {
  return Parse(kQueueChanges, name, "change");
}
std::string_view CommitmentChangeName(CommitmentChange c) { return NameOf(kCommitmentChanges, c); }
Result<CommitmentChange> ParseCommitmentChange(std::string_view name) {
  return Parse(kCommitmentChanges, name, "change");
}
std::string_view CommitmentSourceName(CommitmentSource s) { return NameOf(kCommitmentSources, s); }
Result<CommitmentSource> ParseCommitmentSource(std::string_view name) {
  return Parse(kCommitmentSources, name, "source");
}
Result<StepStatus> ParseStepStatus(std::string_view name) {
  return Parse(kStepStatuses, name, "status");
}

std::string_view EventKind(const EventBody& body) {
  if (std::holds_alternative<MessageEvent>(body)) return "message";
  if (std::holds_alternative<RevealEvent>(body)) return "reveal";
  if (std::holds_alternative<UnderstandingEvent>(body)) return "understanding";
  if (std::holds_alternative<DecisionEvent>(body)) return "decision";
  if (std::holds_alternative<DraftEvent>(body)) return "draft";
  if (std::holds_alternative<ReviewEvent>(body)) return "review";
  if (std::holds_alternative<QueueEvent>(body)) return "queue";
  if (std::holds_alternative<CommitmentEvent>(body)) return "commitment";
  return "work_step";
}

namespace {

// How the customer's tracker names a kind of personal data.
std::pair<std::string, std::string> PiiTypeWords(const std::string& type) {
  static const std::pair<const char*, std::pair<const char*, const char*>> kWords[] = {
      {"iban", {"IBAN", "IBAN"}},
      {"card", {"Kartennummer", "card number"}},
      {"phone", {"Telefonnummer", "phone number"}},
      {"email", {"E-Mail-Adresse", "e-mail address"}},
      {"tax_id", {"Steuer-ID", "tax ID"}},
      {"ip", {"IP-Adresse", "IP address"}},
      {"secret", {"Zugangsdaten", "credentials"}},
      {"birth_date", {"Geburtsdatum", "date of birth"}},
      {"name", {"Namensangabe", "name"}},
      {"address", {"Postanschrift", "postal address"}},
  };
  for (const auto& [key, words] : kWords)
    if (type == key) return {words.first, words.second};
  return {"Daten", "data"};
}

AnswerWhy WhyFromJson(const nlohmann::json& j) {
  AnswerWhy why;
  why.intent = j.value("intent", "");
  why.intent_confidence = j.value("intent_confidence", 0.0);
  why.language = j.value("language", "");
  auto action = ParseDecisionAction(j.value("action", ""));
  if (!action.ok()) throw std::invalid_argument(action.status().message());
  why.action = *action;
  why.rule = j.value("rule", "");
  if (j.contains("reason")) {
    why.reason_de = j["reason"].value("de", "");
    why.reason_en = j["reason"].value("en", "");
  }
  why.composer = j.value("composer", "");
  why.confidence = j.value("confidence", 0.0);
  why.dont_know = j.value("dont_know", false);
  why.explanation = j.value("explanation", "");
  for (const auto& s : j.value("sources", nlohmann::json::array())) {
    why.sources.push_back({s.at("number").get<int>(), s.value("title", ""), s.value("url", ""),
                           s.value("heading", ""), s.value("passage", "")});
  }
  return why;
}

nlohmann::json BodyToJson(const EventBody& body, bool iso_times) {
  nlohmann::json j;
  if (const auto* m = std::get_if<MessageEvent>(&body)) {
    j["author"] = AuthorName(m->author);
    j["text"] = m->text;
    if (!m->agent.empty()) j["agent"] = m->agent;
    if (m->in_reply_to) j["in_reply_to"] = m->in_reply_to;
    if (m->why) j["why"] = WhyToJson(*m->why);
  } else if (const auto* d = std::get_if<DecisionEvent>(&body)) {
    j["message_seq"] = d->message_seq;
    j["action"] = DecisionActionName(d->action);
    j["rule"] = d->rule;
    j["reason"] = {{"de", d->reason_de}, {"en", d->reason_en}};
    j["trace"] = d->trace;
  } else if (const auto* dr = std::get_if<DraftEvent>(&body)) {
    j["message_seq"] = dr->message_seq;
    j["text"] = dr->text;
    if (dr->why) j["why"] = WhyToJson(*dr->why);
  } else if (const auto* rv = std::get_if<ReviewEvent>(&body)) {
    j["draft_seq"] = rv->draft_seq;
    j["outcome"] = ReviewOutcomeName(rv->outcome);
    j["agent"] = rv->agent;
    if (!rv->reason.empty()) j["reason"] = rv->reason;
    j["edit_chars"] = rv->edit_chars;
  } else if (const auto* q = std::get_if<QueueEvent>(&body)) {
    j["change"] = QueueChangeName(q->change);
    if (!q->requested_by.empty()) j["requested_by"] = q->requested_by;
    if (!q->agent.empty()) j["agent"] = q->agent;
    j["reason"] = {{"de", q->reason_de}, {"en", q->reason_en}};
    if (q->position > 0) j["position"] = q->position;
  } else if (const auto* c = std::get_if<CommitmentEvent>(&body)) {
    j["change"] = CommitmentChangeName(c->change);
    j["commitment"] = c->commitment;
    j["source"] = CommitmentSourceName(c->source);
    j["due"] =
        iso_times ? nlohmann::json(FormatIso8601(c->due)) : nlohmann::json(ToUnixMillis(c->due));
    if (!c->agent.empty()) j["agent"] = c->agent;
    j["notice"] = {{"de", c->notice_de}, {"en", c->notice_en}};
  } else if (const auto* r = std::get_if<RevealEvent>(&body)) {
    j["agent"] = r->agent;
    j["placeholder"] = r->placeholder;
    j["pii_type"] = r->pii_type;
    j["reason"] = r->reason;
    if (iso_times) {  // the API: what the customer's tracker says
      const auto [de, en] = PiiTypeWords(r->pii_type);
      j["notice"] = {{"de", "Eine Person hat Ihre " + de + " angesehen: " + r->reason},
                     {"en", "A person viewed your " + en + ": " + r->reason}};
    }
  } else if (const auto* u = std::get_if<UnderstandingEvent>(&body)) {
    j["language"] = u->language;
    j["intent"] = u->intent;
    j["confidence"] = u->confidence;
    j["in_scope"] = u->in_scope;
    j["distress"] = u->distress;
    j["model"] = u->model;
  } else {
    const auto& w = std::get<WorkStepEvent>(body);
    j["stage"] = w.stage;
    j["status"] = StepStatusName(w.status);
    j["label"] = {{"de", w.label_de}, {"en", w.label_en}};
    auto time = [&](Time t) -> nlohmann::json {
      if (iso_times) return FormatIso8601(t);
      return ToUnixMillis(t);
    };
    j["started_at"] = time(w.started_at);
    if (w.finished_at) j["finished_at"] = time(*w.finished_at);
    if (!w.detail.empty()) j["detail"] = w.detail;
  }
  return j;
}

}  // namespace

namespace {

// True when `s` needs no escaping in JSON: no quote, backslash or control byte.
bool PlainJsonString(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) return false;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":\"";
  out += value;
  out += '"';
}

// Work steps are most of what is stored: written directly, byte for byte as
// nlohmann::json::dump() writes them (keys in order, no spaces).
bool EncodeWorkStep(const WorkStepEvent& w, std::string& out) {
  const std::string_view status = StepStatusName(w.status);
  if (!PlainJsonString(w.stage) || !PlainJsonString(w.label_de) || !PlainJsonString(w.label_en) ||
      !PlainJsonString(w.detail)) {
    return false;
  }
  out.reserve(96 + w.stage.size() + w.label_de.size() + w.label_en.size() + w.detail.size());
  out += '{';
  if (!w.detail.empty()) {
    AppendJsonString(out, "detail", w.detail);
    out += ',';
  }
  if (w.finished_at) {
    out += "\"finished_at\":";
    out += std::to_string(ToUnixMillis(*w.finished_at));
    out += ',';
  }
  out += "\"label\":{";
  AppendJsonString(out, "de", w.label_de);
  out += ',';
  AppendJsonString(out, "en", w.label_en);
  out += "},";
  AppendJsonString(out, "stage", w.stage);
  out += ",\"started_at\":";
  out += std::to_string(ToUnixMillis(w.started_at));
  out += ',';
  AppendJsonString(out, "status", status);
  out += '}';
  return true;
}

}  // namespace

std::string EncodeEventBody(const EventBody& body) {
  if (const auto* w = std::get_if<WorkStepEvent>(&body)) {
    std::string out;
    if (EncodeWorkStep(*w, out)) return out;
  }
  return BodyToJson(body, false).dump();
}

std::string EncodeEventBodyGeneric(const EventBody& body) { return BodyToJson(body, false).dump(); }

Result<EventBody> DecodeEventBody(std::string_view kind, std::string_view json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::IoError("stored event is not JSON");
  try {
    if (kind == "message") {
      MessageEvent m;
      auto author = ParseAuthor(j.at("author").get<std::string>());
      if (!author.ok()) return author.status();
      m.author = *author;
      m.text = j.at("text").get<std::string>();
      m.agent = j.value("agent", "");
      m.in_reply_to = j.value("in_reply_to", int64_t{0});
      if (j.contains("why")) m.why = WhyFromJson(j["why"]);
      return EventBody(std::move(m));
    }
    if (kind == "decision") {
      DecisionEvent d;
      d.message_seq = j.at("message_seq").get<int64_t>();
      auto action = ParseDecisionAction(j.at("action").get<std::string>());
      if (!action.ok()) return action.status();
      d.action = *action;
      d.rule = j.at("rule").get<std::string>();
      d.reason_de = j.at("reason").at("de").get<std::string>();
      d.reason_en = j.at("reason").at("en").get<std::string>();
      d.trace = j.value("trace", "");
      return EventBody(std::move(d));
    }
    if (kind == "draft") {
      DraftEvent d;
      d.message_seq = j.at("message_seq").get<int64_t>();
      d.text = j.at("text").get<std::string>();
      if (j.contains("why")) d.why = WhyFromJson(j["why"]);
      return EventBody(std::move(d));
    }
    if (kind == "review") {
      auto outcome = ParseReviewOutcome(j.at("outcome").get<std::string>());
      if (!outcome.ok()) return outcome.status();
      return EventBody(ReviewEvent{j.at("draft_seq").get<int64_t>(), *outcome,
                                   j.at("agent").get<std::string>(), j.value("reason", ""),
                                   j.value("edit_chars", int64_t{0})});
    }
    if (kind == "queue") {
      auto change = ParseQueueChange(j.at("change").get<std::string>());
      if (!change.ok()) return change.status();
      return EventBody(QueueEvent{*change, j.value("requested_by", ""), j.value("agent", ""),
                                  j.at("reason").at("de").get<std::string>(),
                                  j.at("reason").at("en").get<std::string>(),
                                  j.value("position", int64_t{0})});
    }
    if (kind == "commitment") {
      auto change = ParseCommitmentChange(j.at("change").get<std::string>());
      if (!change.ok()) return change.status();
      auto source = ParseCommitmentSource(j.at("source").get<std::string>());
      if (!source.ok()) return source.status();
      return EventBody(CommitmentEvent{
          *change, j.at("commitment").get<int64_t>(), *source,
          FromUnixMillis(j.at("due").get<int64_t>()), j.value("agent", ""),
          j.at("notice").at("de").get<std::string>(), j.at("notice").at("en").get<std::string>()});
    }
    if (kind == "reveal") {
      return EventBody(
          RevealEvent{j.at("agent").get<std::string>(), j.at("placeholder").get<std::string>(),
                      j.at("pii_type").get<std::string>(), j.at("reason").get<std::string>()});
    }
    if (kind == "understanding") {
      UnderstandingEvent u;
      u.language = j.at("language").get<std::string>();
      u.intent = j.at("intent").get<std::string>();
      u.confidence = j.at("confidence").get<double>();
      u.in_scope = j.at("in_scope").get<bool>();
      u.distress = j.at("distress").get<double>();
      u.model = j.value("model", "");
      return EventBody(std::move(u));
    }
    if (kind == "work_step") {
      WorkStepEvent w;
      w.stage = j.at("stage").get<std::string>();
      auto status = ParseStepStatus(j.at("status").get<std::string>());
      if (!status.ok()) return status.status();
      w.status = *status;
      w.label_de = j.at("label").at("de").get<std::string>();
      w.label_en = j.at("label").at("en").get<std::string>();
      w.started_at = FromUnixMillis(j.at("started_at").get<int64_t>());
      if (j.contains("finished_at"))
        w.finished_at = FromUnixMillis(j["finished_at"].get<int64_t>());
      w.detail = j.value("detail", "");
      return EventBody(std::move(w));
    }
  } catch (const std::exception& e) {  // JSON errors, and a why's unknown action
    return Status::IoError(std::string("stored event is malformed: ") + e.what());
  }
  return Status::IoError("stored event has unknown kind '" + std::string(kind) + "'");
}

nlohmann::json WhyToJson(const AnswerWhy& why) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : why.sources) {
    sources.push_back({{"number", s.number},
                       {"title", s.title},
                       {"url", s.url},
                       {"heading", s.heading},
                       {"passage", s.passage}});
  }
  return {{"intent", why.intent},       {"intent_confidence", why.intent_confidence},
          {"language", why.language},   {"action", DecisionActionName(why.action)},
          {"rule", why.rule},           {"reason", {{"de", why.reason_de}, {"en", why.reason_en}}},
          {"composer", why.composer},   {"confidence", why.confidence},
          {"dont_know", why.dont_know}, {"explanation", why.explanation},
          {"sources", sources}};
}

std::string MessageId(const std::string& conversation_id, int64_t seq) {
  return conversation_id + "." + std::to_string(seq);
}

bool ParseMessageId(std::string_view id, std::string* conversation_id, int64_t* seq) {
  const size_t dot = id.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= id.size() || id.size() - dot > 19) {
    return false;
  }
  int64_t value = 0;
  for (char c : id.substr(dot + 1)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value <= 0) return false;
  *conversation_id = std::string(id.substr(0, dot));
  *seq = value;
  return true;
}

nlohmann::json EventToJson(const Event& event) {
  nlohmann::json j = BodyToJson(event.body, true);
  if (std::holds_alternative<MessageEvent>(event.body)) {
    j["id"] = MessageId(event.conversation_id, event.seq);
  }
  j["seq"] = event.seq;
  j["type"] = EventKind(event.body);
  j["at"] = FormatIso8601(event.at);
  j["conversation_id"] = event.conversation_id;
  return j;
}

bool CustomerSeesWholeEvent(const EventBody& body) {
  return !std::holds_alternative<UnderstandingEvent>(body) &&
         !std::holds_alternative<DecisionEvent>(body) && !std::holds_alternative<DraftEvent>(body);
}

nlohmann::json EventToJsonForCustomer(const Event& event) {
  nlohmann::json j = EventToJson(event);
  if (CustomerSeesWholeEvent(event.body)) return j;
  if (std::holds_alternative<UnderstandingEvent>(event.body)) {
    // What we understood, not how upset we think they are.
    j.erase("distress");
    j.erase("model");
  } else if (std::holds_alternative<DecisionEvent>(event.body)) {
    j.erase("trace");
  } else if (std::holds_alternative<DraftEvent>(event.body)) {
    // Not approved yet: the customer sees that a person is reviewing it.
    j.erase("text");
    j.erase("why");
  }
  return j;
}

}  // namespace candor
