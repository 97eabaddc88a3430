#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/conversation.h"
#include "core/event.h"
#include "core/text.h"

namespace candor {
namespace {

TEST(Utf8Test, AcceptsGermanAndEmoji) {
  EXPECT_TRUE(IsValidUtf8("Grüße aus Köln, Straße 5 €"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xFF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(IdTest, IdsAreDistinctAndPrefixed) {
  const std::string a = NewId("c");
  const std::string b = NewId("c");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 2), "c_");
  EXPECT_EQ(a.size(), 22u);
}

TEST(EventCodecTest, MessageSurvivesStorageRoundTrip) {
  EventBody body = MessageEvent{Author::kAiApproved, "Hallo \"Welt\"\n", "Anna"};
  auto decoded = DecodeEventBody(EventKind(body), EncodeEventBody(body));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const auto& m = std::get<MessageEvent>(*decoded);
  EXPECT_EQ(m.author, Author::kAiApproved);
  EXPECT_EQ(m.text, "Hallo \"Welt\"\n");
  EXPECT_EQ(m.agent, "Anna");
}

TEST(EventCodecTest, WorkStepKeepsRealTimes) {
  WorkStepEvent w{"receive",  StepStatus::kDone,    "Empfangen",
                  "Received", FromUnixMillis(1000), FromUnixMillis(1042),
                  ""};
  auto decoded = DecodeEventBody("work_step", EncodeEventBody(w));
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<WorkStepEvent>(*decoded);
  EXPECT_EQ(got.status, StepStatus::kDone);
  EXPECT_EQ(ToUnixMillis(got.started_at), 1000);
  ASSERT_TRUE(got.finished_at.has_value());
  EXPECT_EQ(ToUnixMillis(*got.finished_at), 1042);
}

TEST(EventCodecTest, WorkStepIsStoredAsTheGenericWriterWritesIt) {
  const Time t = FromUnixMillis(1714564800123);
  WorkStepEvent started{"protect",
                        StepStatus::kStarted,
                        "Persönliche Daten geschützt",
                        "Personal data protected",
                        t,
                        std::nullopt,
                        ""};
  WorkStepEvent failed{"understand",
                       StepStatus::kFailed,
                       "Anliegen verstanden",
                       "Request understood",
                       t,
                       FromUnixMillis(1714564800456),
                       "unavailable"};
  WorkStepEvent odd{"deliver", StepStatus::kDone, "mit \"Zitat\"", "tab\there", t, t, ""};
  for (const WorkStepEvent& step : {started, failed, odd}) {
    const std::string stored = EncodeEventBody(step);
    EXPECT_EQ(stored, EncodeEventBodyGeneric(step));
    auto decoded = DecodeEventBody("work_step", stored);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::get<WorkStepEvent>(*decoded).detail, step.detail);
  }
}

TEST(EventCodecTest, RevealRecordsWhoWhatAndWhy) {
  EventBody body = RevealEvent{"Anna", "IBAN_1", "iban", "Rückbuchung prüfen"};
  auto decoded = DecodeEventBody(EventKind(body), EncodeEventBody(body));
  ASSERT_TRUE(decoded.ok());
  const auto& r = std::get<RevealEvent>(*decoded);
  EXPECT_EQ(r.agent, "Anna");
  EXPECT_EQ(r.placeholder, "IBAN_1");
  EXPECT_EQ(r.reason, "Rückbuchung prüfen");
  EXPECT_EQ(EventKind(body), "reveal");
}

TEST(EventCodecTest, UnderstandingKeepsEveryFactRoutingNeeds) {
  EventBody body = UnderstandingEvent{"de", "card_lost_or_stolen", 0.93, true, 0.71, "abc/def"};
  EXPECT_EQ(EventKind(body), "understanding");
  auto decoded = DecodeEventBody(EventKind(body), EncodeEventBody(body));
  ASSERT_TRUE(decoded.ok());
  const auto& u = std::get<UnderstandingEvent>(*decoded);
  EXPECT_EQ(u.language, "de");
  EXPECT_EQ(u.intent, "card_lost_or_stolen");
  EXPECT_DOUBLE_EQ(u.confidence, 0.93);
  EXPECT_TRUE(u.in_scope);
  EXPECT_DOUBLE_EQ(u.distress, 0.71);
  EXPECT_EQ(u.model, "abc/def");
  EXPECT_FALSE(DecodeEventBody("understanding", R"({"language":"de"})").ok());
}

TEST(EventCodecTest, RejectsCorruptStoredBody) {
  EXPECT_FALSE(DecodeEventBody("message", "{not json").ok());
  EXPECT_FALSE(DecodeEventBody("message", R"({"author":"robot","text":"x"})").ok());
  EXPECT_FALSE(DecodeEventBody("teleport", "{}").ok());
}

TEST(EventJsonTest, ApiShapeNamesAuthorAndSequence) {
  Event e{
      "c_1", 7, 0, FromUnixMillis(1'700'000'000'123), MessageEvent{Author::kPerson, "Hi", "Ben"},
      ""};
  const auto j = EventToJson(e);
  EXPECT_EQ(j["seq"], 7);
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["author"], "person");
  EXPECT_EQ(j["at"], "2023-11-14T22:13:20.123Z");
}

// One event of every kind, for rules that must hold for each.
std::vector<EventBody> OneOfEachKind() {
  AnswerWhy why;
  why.intent = "card_lost";
  why.explanation = "matched the card article";
  return {
      MessageEvent{Author::kCustomer, "hi"},
      WorkStepEvent{"receive", StepStatus::kDone, "Empfangen", "Received", {}, {}, ""},
      RevealEvent{"anna", "IBAN_1", "iban", "to refund"},
      UnderstandingEvent{"de", "card_lost", 0.9, true, 0.7, "sha256:abc"},
      DecisionEvent{1, DecisionAction::kDraft, "fees", "Gebühren", "fees", "rule fees: matched"},
      DraftEvent{1, "Unapproved answer", why},
      ReviewEvent{3, ReviewOutcome::kRejected, "anna", "wrong", 0},
      QueueEvent{QueueChange::kJoined, "customer", "", "Sie warten", "You wait", 0},
      CommitmentEvent{
          CommitmentChange::kMade, 4, CommitmentSource::kQueue, {}, "", "bis 14 Uhr", "by 2 pm"}};
}

TEST(CustomerViewTest, HidesWhatIsForPeopleOnlyAndNothingElse) {
  const auto bodies = OneOfEachKind();
  ASSERT_EQ(bodies.size(), std::variant_size_v<EventBody>) << "a kind is missing here";
  for (const auto& body : bodies) {
    Event event{"c_x", 3, 7, {}, body, ""};
    const nlohmann::json all = EventToJson(event);
    const nlohmann::json seen = EventToJsonForCustomer(event);
    const std::string kind(EventKind(body));
    for (const char* hidden : {"distress", "model", "trace"}) {
      EXPECT_FALSE(seen.contains(hidden)) << kind << " shows " << hidden;
    }
    if (kind == "draft") {
      EXPECT_FALSE(seen.contains("text"));
      EXPECT_FALSE(seen.contains("why"));
      EXPECT_EQ(seen["message_seq"], 1);
    }
    EXPECT_EQ(CustomerSeesWholeEvent(body), seen == all) << kind;
    // What is left is exactly what the whole event says.
    for (const auto& [key, value] : seen.items()) EXPECT_EQ(all.at(key), value) << kind;
  }
}

TEST(ConversationTest, FoldTracksWhoSpokeLast) {
  std::vector<Event> events = {
      {"c", 1, 0, FromUnixMillis(1), MessageEvent{Author::kCustomer, "Hallo", ""}, ""},
      {"c", 2, 0, FromUnixMillis(2),
       WorkStepEvent{"receive", StepStatus::kStarted, "", "", {}, {}, ""}, ""},
  };
  auto state = Fold(events);
  EXPECT_EQ(state.last_seq, 2);
  EXPECT_TRUE(state.AwaitingReply());
  EXPECT_FALSE(state.person_joined);
  events.push_back(
      {"c", 3, 0, FromUnixMillis(3), MessageEvent{Author::kPerson, "Guten Tag", "Ben"}, ""});
  state = Fold(events);
  EXPECT_FALSE(state.AwaitingReply());
  EXPECT_TRUE(state.person_joined);
  EXPECT_EQ(state.messages, 2);
}

}  // namespace
}  // namespace candor
