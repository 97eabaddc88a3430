#include "policy/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace candor::policy {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kBankPolicy[] = CANDOR_SOURCE_DIR "/data/policy/bank.toml";
constexpr char kBankIntents[] = CANDOR_SOURCE_DIR "/data/nlu/bank/intents.json";

// The last rule of most test policies.
constexpr char kDefaultRule[] = R"(
[[rule]]
name = "default"
action = "answer"
reason.de = "Die KI antwortet."
reason.en = "The AI answers."
)";

Policy MustParse(const std::string& text) {
  Result<Policy> policy = Policy::Parse(text, "test.toml");
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  if (!policy.ok()) std::abort();
  return std::move(policy).value();
}

std::string ErrorOf(const std::string& text) {
  Result<Policy> policy = Policy::Parse(text, "test.toml");
  EXPECT_FALSE(policy.ok());
  return policy.ok() ? std::string() : policy.status().message();
}

const Policy& Bank() {
  static const Policy* const kPolicy = [] {
    Result<Policy> policy = Policy::Load(kBankPolicy);
    EXPECT_TRUE(policy.ok()) << policy.status().message();
    if (!policy.ok()) std::abort();
    return new Policy(std::move(policy).value());
  }();
  return *kPolicy;
}

const IntentCatalogue& BankIntents() {
  static const IntentCatalogue* const kCatalogue = [] {
    Result<IntentCatalogue> catalogue = LoadIntentCatalogue(kBankIntents);
    EXPECT_TRUE(catalogue.ok()) << catalogue.status().message();
    if (!catalogue.ok()) std::abort();
    return new IntentCatalogue(std::move(catalogue).value());
  }();
  return *kCatalogue;
}

// A confident, calm, in-scope German chat message about `intent`.
Facts BankFacts(const std::string& intent) {
  Facts facts;
  facts.intent = intent;
  facts.intent_tags = TagsOf(BankIntents(), intent);
  facts.language = "de";
  facts.confidence = 0.9;
  facts.distress = 0.1;
  return facts;
}

// ---- actions ----------------------------------------------------------------

TEST(ActionTest, NamesRoundTrip) {
  for (Action action : {Action::kAnswer, Action::kDraft, Action::kPerson, Action::kUnknown}) {
    Result<Action> parsed = ParseAction(ActionName(action));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, action);
  }
  EXPECT_FALSE(ParseAction("aprove").ok());
  EXPECT_FALSE(ParseAction("").ok());
}

// ---- deciding ---------------------------------------------------------------

TEST(PolicyTest, FirstMatchingRuleWins) {
  const Policy policy = MustParse(std::string(R"(
[[rule]]
name = "fees_draft"
intents = ["fees"]
action = "draft"
reason.de = "Entwurf."
reason.en = "Draft."

[[rule]]
name = "fees_person"
intents = ["fees"]
action = "person"
reason.de = "Mensch."
reason.en = "Person."
)") + kDefaultRule);
  Facts facts;
  facts.intent = "fees";
  facts.confidence = 0.9;
  const Decision decision = policy.Decide(facts);
  EXPECT_EQ(decision.action, Action::kDraft);
  EXPECT_EQ(decision.rule, "fees_draft");
  EXPECT_EQ(decision.rule_line, 2);
  EXPECT_EQ(decision.reason_de, "Entwurf.");
  EXPECT_EQ(decision.reason_en, "Draft.");
}

TEST(PolicyTest, AllConditionsOfARuleMustHold) {
  const Policy policy = MustParse(std::string(R"(
[[rule]]
name = "english_api_fees"
intents = ["fees"]
languages = ["en"]
channels = ["api"]
action = "person"
reason.de = "Mensch."
reason.en = "Person."
)") + kDefaultRule);
  Facts facts;
  facts.intent = "fees";
  facts.language = "en";
  facts.channel = "api";
  EXPECT_EQ(policy.Decide(facts).rule, "english_api_fees");
  facts.channel = "chat";
  const Decision decision = policy.Decide(facts);
  EXPECT_EQ(decision.rule, "default");
  ASSERT_EQ(decision.trace.size(), 2u);
  EXPECT_FALSE(decision.trace[0].matched);
  EXPECT_EQ(decision.trace[0].why, "channel chat is not listed");
}

TEST(PolicyTest, EveryConditionKindDecides) {
  const Policy policy = MustParse(std::string(R"(
[[rule]]
name = "after_hours"
business_hours = false
action = "unknown"
reason.de = "Außerhalb."
reason.en = "Outside."

[[rule]]
name = "calm_in_scope"
out_of_scope = false
asked_for_person = false
distress_above = 0.0
confidence_below = 1
tags = ["money_dispute"]
action = "person"
reason.de = "Mensch."
reason.en = "Person."
)") + kDefaultRule);
  Facts facts;
  facts.intent = "charged_twice";
  facts.intent_tags = {"money_dispute"};
  facts.confidence = 0.7;
  facts.distress = 0.2;
  EXPECT_EQ(policy.Decide(facts).rule, "calm_in_scope");
  facts.business_hours = false;
  EXPECT_EQ(policy.Decide(facts).rule, "after_hours");
  facts.business_hours = true;
  facts.distress = 0;
  EXPECT_EQ(policy.Decide(facts).rule, "default");
  facts.distress = 0.2;
  facts.intent_tags = {};
  EXPECT_EQ(policy.Decide(facts).rule, "default");
}

TEST(PolicyTest, TraceListsEveryRuleTriedUpToTheMatch) {
  Facts facts = BankFacts("fees");
  facts.confidence = 0.81;
  const Decision decision = Bank().Decide(facts);
  ASSERT_EQ(decision.rule, "fees");
  const std::vector<Rule>& rules = Bank().rules();
  ASSERT_EQ(decision.trace.size(), rules.size() - 1);  // all but the default
  for (size_t i = 0; i < decision.trace.size(); ++i) {
    EXPECT_EQ(decision.trace[i].rule, rules[i].name);
    EXPECT_EQ(decision.trace[i].line, rules[i].line);
    EXPECT_EQ(decision.trace[i].matched, i + 1 == decision.trace.size()) << rules[i].name;
    EXPECT_FALSE(decision.trace[i].why.empty());
  }
  EXPECT_EQ(decision.trace.back().why, "intent fees is listed");
  const Rule* low = Bank().FindRule("low_confidence");
  ASSERT_NE(low, nullptr);
  const auto low_step = std::find_if(decision.trace.begin(), decision.trace.end(),
                                     [](const RuleTrace& t) { return t.rule == "low_confidence"; });
  ASSERT_NE(low_step, decision.trace.end());
  EXPECT_EQ(low_step->why, "confidence 0.81 is not below 0.50");
}

TEST(PolicyTest, DecisionExplainsItselfAsTextAndJson) {
  Facts facts = BankFacts("charged_twice");
  const Decision decision = Bank().Decide(facts);
  const std::string text = FormatTrace(facts, decision);
  EXPECT_THAT(text, HasSubstr("charged_twice (tags: money_dispute)"));
  EXPECT_THAT(text, HasSubstr("asked_for_person"));
  EXPECT_THAT(text, HasSubstr("not matched"));
  EXPECT_THAT(text, HasSubstr("tag money_dispute is listed"));
  EXPECT_THAT(text, HasSubstr("person, by rule money_disputes"));
  EXPECT_THAT(text, HasSubstr(decision.reason_de));
  EXPECT_THAT(text, HasSubstr(decision.reason_en));

  const nlohmann::json json = DecisionToJson(decision);
  EXPECT_EQ(json["action"], "person");
  EXPECT_EQ(json["rule"], "money_disputes");
  EXPECT_EQ(json["reason"]["de"], decision.reason_de);
  EXPECT_EQ(json["reason"]["en"], decision.reason_en);
  ASSERT_EQ(json["trace"].size(), decision.trace.size());
  EXPECT_EQ(json["trace"].back()["matched"], true);
  EXPECT_EQ(json["trace"][0]["matched"], false);
  EXPECT_EQ(json["trace"][0]["rule"], "asked_for_person");
}

TEST(PolicyTest, DescribesRulesReadably) {
  EXPECT_EQ(Bank().FindRule("money_disputes")->DescribeConditions(), "intent tagged money_dispute");
  EXPECT_EQ(Bank().FindRule("low_confidence")->DescribeConditions(), "confidence below 0.50");
  EXPECT_EQ(Bank().FindRule("fees")->DescribeConditions(), "intent is fees");
  EXPECT_EQ(Bank().FindRule("default")->DescribeConditions(), "always (default rule)");
  EXPECT_EQ(Bank().FindRule("nonexistent"), nullptr);
}

// ---- errors, each with its line ---------------------------------------------

TEST(PolicyTest, RejectsUnknownActionWithLine) {
  const std::string error = ErrorOf(std::string(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "aprove"
reason.de = "x"
reason.en = "y"
)") + kDefaultRule);
  EXPECT_EQ(error,
            "test.toml:4: rule \"fees\": unknown action \"aprove\" (answer, draft, person, "
            "unknown)");
}

TEST(PolicyTest, RejectsMissingAction) {
  EXPECT_THAT(ErrorOf(R"([[rule]]
name = "default"
reason.de = "x"
reason.en = "y"
)"),
              StartsWith("test.toml:1: rule \"default\": missing action"));
}

TEST(PolicyTest, RejectsRuleWithoutName) {
  EXPECT_THAT(ErrorOf(std::string(R"([[rule]]
intents = ["fees"]
action = "draft"
reason.de = "x"
reason.en = "y"
)") + kDefaultRule),
              StartsWith("test.toml:1: rule 1: missing name"));
}

TEST(PolicyTest, RejectsDuplicateName) {
  const std::string error = ErrorOf(std::string(R"([[rule]]
name = "default"
intents = ["fees"]
action = "draft"
reason.de = "x"
reason.en = "y"
)") + kDefaultRule);
  EXPECT_EQ(error, "test.toml:8: rule \"default\": duplicate name (first used at line 1)");
}

TEST(PolicyTest, RejectsRuleWithoutReason) {
  EXPECT_EQ(ErrorOf(std::string(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
)") + kDefaultRule),
            "test.toml:1: rule \"fees\": missing reason.de and reason.en (the reason shown to "
            "the customer)");
  EXPECT_EQ(ErrorOf(std::string(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
reason.de = "Entwurf."
)") + kDefaultRule),
            "test.toml:1: rule \"fees\": missing reason.en");
  EXPECT_EQ(ErrorOf(std::string(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
reason.de = "  "
reason.en = "Draft."
)") + kDefaultRule),
            "test.toml:5: rule \"fees\": reason.de is empty");
  EXPECT_THAT(ErrorOf(std::string(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
reason = "Entwurf."
)") + kDefaultRule),
              StartsWith("test.toml:5: rule \"fees\": reason must be a table"));
  EXPECT_THAT(ErrorOf(std::string(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
reason.de = "Entwurf."
reason.en = "Draft."
reason.fr = "Brouillon."
)") + kDefaultRule),
              StartsWith("test.toml:7: rule \"fees\": unknown key \"reason.fr\""));
}

TEST(PolicyTest, RejectsUnknownKeyAndSuggestsTheRightOne) {
  EXPECT_EQ(ErrorOf(std::string(R"([[rule]]
name = "fees"
intent = ["fees"]
action = "draft"
reason.de = "x"
reason.en = "y"
)") + kDefaultRule),
            "test.toml:3: rule \"fees\": unknown key \"intent\" (did you mean \"intents\"?)");
  EXPECT_THAT(ErrorOf(std::string(R"([[rule]]
name = "fees"
colour = "blue"
action = "draft"
reason.de = "x"
reason.en = "y"
)") + kDefaultRule),
              StartsWith("test.toml:3: rule \"fees\": unknown key \"colour\"; a rule has name"));
  EXPECT_THAT(ErrorOf(std::string("[[rules]]\nname = \"x\"\n")),
              HasSubstr("test.toml:1: unknown key \"rules\" (did you mean \"rule\"?)"));
}

TEST(PolicyTest, RejectsWrongTypes) {
  const std::string rule_head =
      "[[rule]]\nname = \"r\"\naction = \"person\"\n"
      "reason.de = \"x\"\nreason.en = \"y\"\n";
  EXPECT_THAT(ErrorOf(rule_head + "intents = \"fees\"\n" + kDefaultRule),
              StartsWith("test.toml:6: rule \"r\": intents must be a list of strings"));
  EXPECT_THAT(ErrorOf(rule_head + "tags = [\"fraud\", 3]\n" + kDefaultRule),
              StartsWith("test.toml:6: rule \"r\": tags must be a list of strings; found an "
                         "integer"));
  EXPECT_THAT(ErrorOf(rule_head + "confidence_below = \"0.5\"\n" + kDefaultRule),
              StartsWith("test.toml:6: rule \"r\": confidence_below must be a number"));
  EXPECT_THAT(ErrorOf(rule_head + "business_hours = \"false\"\n" + kDefaultRule),
              StartsWith("test.toml:6: rule \"r\": business_hours must be true or false"));
  EXPECT_THAT(ErrorOf("[[rule]]\nname = 7\naction = \"answer\"\nreason.de = \"x\"\n"
                      "reason.en = \"y\"\n"),
              StartsWith("test.toml:2: rule 1: name must be a string"));
  EXPECT_THAT(ErrorOf("[[rule]]\nname = \"d\"\naction = true\nreason.de = \"x\"\n"
                      "reason.en = \"y\"\n"),
              StartsWith("test.toml:3: rule \"d\": action must be a string"));
  EXPECT_THAT(ErrorOf("rule = 3\n"), StartsWith("test.toml:1: rule must be written as [[rule]]"));
}

TEST(PolicyTest, RejectsThresholdsOutsideZeroToOne) {
  const std::string rule_head =
      "[[rule]]\nname = \"r\"\naction = \"person\"\n"
      "reason.de = \"x\"\nreason.en = \"y\"\n";
  EXPECT_EQ(ErrorOf(rule_head + "distress_above = 1.5\n" + kDefaultRule),
            "test.toml:6: rule \"r\": distress_above = 1.5 is outside [0, 1]");
  EXPECT_EQ(ErrorOf(rule_head + "confidence_below = -0.1\n" + kDefaultRule),
            "test.toml:6: rule \"r\": confidence_below = -0.1 is outside [0, 1]");
  EXPECT_THAT(ErrorOf(rule_head + "confidence_below = nan\n" + kDefaultRule),
              StartsWith("test.toml:6: rule \"r\": confidence_below = nan is outside [0, 1]"));
}

TEST(PolicyTest, RejectsEmptyLists) {
  EXPECT_THAT(ErrorOf("[[rule]]\nname = \"r\"\naction = \"person\"\nreason.de = \"x\"\n"
                      "reason.en = \"y\"\nlanguages = []\n" +
                      std::string(kDefaultRule)),
              StartsWith("test.toml:6: rule \"r\": languages is an empty list"));
}

TEST(PolicyTest, RejectsPolicyWithoutRules) {
  EXPECT_THAT(ErrorOf(""), StartsWith("test.toml:1: no rules"));
  EXPECT_THAT(ErrorOf("# only a comment\n"), StartsWith("test.toml:1: no rules"));
}

TEST(PolicyTest, RequiresDefaultRule) {
  EXPECT_THAT(ErrorOf(R"([[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
reason.de = "x"
reason.en = "y"

[[rule]]
name = "complaint"
intents = ["complaint"]
action = "person"
reason.de = "x"
reason.en = "y"
)"),
              StartsWith("test.toml:8: no default rule"));
}

TEST(PolicyTest, RejectsRuleAfterDefault) {
  const std::string error = ErrorOf(std::string(kDefaultRule) + R"(
[[rule]]
name = "fees"
intents = ["fees"]
action = "draft"
reason.de = "x"
reason.en = "y"
)" + kDefaultRule);
  // A second default after the first is unreachable too.
  EXPECT_THAT(error, StartsWith("test.toml:8: rule \"fees\": unreachable: the default rule "
                                "\"default\" (line 2)"));
  EXPECT_THAT(error, HasSubstr("test.toml:15: rule \"default\": duplicate name"));
  EXPECT_THAT(error, HasSubstr("test.toml:15: rule \"default\": unreachable"));
}

TEST(PolicyTest, ReportsEveryErrorInLineOrder) {
  const std::string error = ErrorOf(R"([[rule]]
name = "a"
intent = ["fees"]
action = "aprove"
reason.de = "x"

[[rule]]
name = "b"
action = "answer"
reason.de = "x"
reason.en = "y"
)");
  EXPECT_EQ(error,
            "test.toml:1: rule \"a\": missing reason.en\n"
            "test.toml:3: rule \"a\": unknown key \"intent\" (did you mean \"intents\"?)\n"
            "test.toml:4: rule \"a\": unknown action \"aprove\" (answer, draft, person, "
            "unknown)");
}

TEST(PolicyTest, RejectsTomlSyntaxErrorWithLine) {
  EXPECT_THAT(ErrorOf("[[rule]]\nname = \"a\"\naction = \"answer\n"), StartsWith("test.toml:3: "));
  EXPECT_THAT(ErrorOf("[[rule]]\nname = \"a\"\nname = \"b\"\n"), StartsWith("test.toml:3: "));
  EXPECT_THAT(ErrorOf("\n\n[[rule]\n"), StartsWith("test.toml:3: "));
}

TEST(PolicyTest, SurvivesGarbage) {
  const std::string inputs[] = {
      std::string("\0\xff\xfe[[", 5),
      "[[rule]]\n[[rule]]\n",
      "rule = [[], {}]\n",
      "[[rule]]\nreason = { de = 1, en = [] }\n",
      "[[rule]]\nintents = [[\"a\"]]\n",
      "[rule]\nname = \"x\"\n",
      std::string(10000, '['),
  };
  for (const std::string& input : inputs) {
    Result<Policy> policy = Policy::Parse(input, "garbage.toml");
    EXPECT_FALSE(policy.ok()) << input;
    if (!policy.ok()) {
      EXPECT_THAT(policy.status().message(), StartsWith("garbage.toml:"));
    }
  }
}

TEST(PolicyTest, LoadReportsMissingFile) {
  Result<Policy> policy = Policy::Load("/nonexistent/policy.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(policy.status().message(), StartsWith("/nonexistent/policy.toml:"));
}

// ---- the demo bank ----------------------------------------------------------

TEST(BankPolicyTest, MoneyDisputesGoToAPerson) {
  for (const char* intent : {"charged_twice", "refund_not_received", "atm_cash_not_dispensed",
                             "wrong_transfer_recall"}) {
    const Decision decision = Bank().Decide(BankFacts(intent));
    EXPECT_EQ(decision.action, Action::kPerson) << intent;
    EXPECT_EQ(decision.rule, "money_disputes") << intent;
  }
}

TEST(BankPolicyTest, FraudAndLostCardsGoToAPerson) {
  for (const char* intent : {"unrecognised_payment", "card_lost_or_stolen", "phishing_report"}) {
    const Decision decision = Bank().Decide(BankFacts(intent));
    EXPECT_EQ(decision.action, Action::kPerson) << intent;
    EXPECT_EQ(decision.rule, "fraud_and_lost_cards") << intent;
  }
}

TEST(BankPolicyTest, ClosureAndComplaintsGoToAPerson) {
  EXPECT_EQ(Bank().Decide(BankFacts("close_account")).rule, "account_closure");
  EXPECT_EQ(Bank().Decide(BankFacts("complaint")).rule, "complaint");
  EXPECT_EQ(Bank().Decide(BankFacts("complaint")).action, Action::kPerson);
}

TEST(BankPolicyTest, FeesAreDraftedForApproval) {
  const Decision decision = Bank().Decide(BankFacts("fees"));
  EXPECT_EQ(decision.action, Action::kDraft);
  EXPECT_EQ(decision.rule, "fees");
}

TEST(BankPolicyTest, HowToQuestionsAreAnswered) {
  for (const char* intent : {"change_pin", "activate_card", "online_banking_login_problem"}) {
    const Decision decision = Bank().Decide(BankFacts(intent));
    EXPECT_EQ(decision.action, Action::kAnswer) << intent;
    EXPECT_EQ(decision.rule, "default") << intent;
  }
}

TEST(BankPolicyTest, OutOfScopeIsUnknown) {
  Facts facts = BankFacts("oos");
  facts.in_scope = false;
  const Decision decision = Bank().Decide(facts);
  EXPECT_EQ(decision.action, Action::kUnknown);
  EXPECT_EQ(decision.rule, "out_of_scope");
}

TEST(BankPolicyTest, LowConfidenceIsUnknown) {
  Facts facts = BankFacts("change_pin");
  facts.confidence = 0.3;
  const Decision decision = Bank().Decide(facts);
  EXPECT_EQ(decision.action, Action::kUnknown);
  EXPECT_EQ(decision.rule, "low_confidence");
  EXPECT_EQ(decision.trace.back().why, "confidence 0.30 is below 0.50");
}

TEST(BankPolicyTest, DistressGoesToAPerson) {
  Facts facts = BankFacts("change_pin");
  facts.distress = 0.8;
  const Decision decision = Bank().Decide(facts);
  EXPECT_EQ(decision.action, Action::kPerson);
  EXPECT_EQ(decision.rule, "distress");
}

TEST(BankPolicyTest, AskingForAPersonWinsEvenForAHowToQuestion) {
  Facts facts = BankFacts("change_pin");
  facts.asked_for_person = true;
  const Decision decision = Bank().Decide(facts);
  EXPECT_EQ(decision.action, Action::kPerson);
  EXPECT_EQ(decision.rule, "asked_for_person");
  ASSERT_EQ(decision.trace.size(), 1u);
  EXPECT_EQ(decision.trace[0].why, "the customer asked for a person");
}

TEST(BankPolicyTest, EveryRuleHasBothReasons) {
  for (const Rule& rule : Bank().rules()) {
    EXPECT_FALSE(rule.reason_de.empty()) << rule.name;
    EXPECT_FALSE(rule.reason_en.empty()) << rule.name;
  }
  EXPECT_TRUE(Bank().rules().back().IsDefault());
}

// ---- the intent catalogue ---------------------------------------------------

TEST(CatalogueTest, ReadsTagsFromSensitiveAndTags) {
  EXPECT_EQ(TagsOf(BankIntents(), "charged_twice"), std::vector<std::string>{"money_dispute"});
  EXPECT_EQ(TagsOf(BankIntents(), "card_lost_or_stolen"), std::vector<std::string>{"fraud"});
  EXPECT_EQ(TagsOf(BankIntents(), "close_account"), std::vector<std::string>{"account_closure"});
  EXPECT_TRUE(TagsOf(BankIntents(), "change_pin").empty());
  EXPECT_TRUE(TagsOf(BankIntents(), "").empty());
  EXPECT_TRUE(TagsOf(BankIntents(), "no_such_intent").empty());
  EXPECT_TRUE(BankIntents().KnowsIntent("fees"));
  EXPECT_TRUE(BankIntents().KnowsTag("account_access"));
  EXPECT_FALSE(BankIntents().KnowsTag("none"));
}

TEST(CatalogueTest, RejectsMalformedCatalogues) {
  EXPECT_FALSE(ParseIntentCatalogue("not json", "c.json").ok());
  EXPECT_FALSE(ParseIntentCatalogue("{}", "c.json").ok());
  EXPECT_FALSE(ParseIntentCatalogue(R"([{"sensitive": "none"}])", "c.json").ok());
  EXPECT_FALSE(ParseIntentCatalogue(R"([{"id": "a"}, {"id": "a"}])", "c.json").ok());
  EXPECT_FALSE(ParseIntentCatalogue(R"([{"id": "a", "tags": "x"}])", "c.json").ok());
  EXPECT_FALSE(ParseIntentCatalogue(R"([{"id": "a", "sensitive": 1}])", "c.json").ok());
  Result<IntentCatalogue> bad = ParseIntentCatalogue(R"([{"id": "a"}, 3])", "c.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "c.json: entry 2: must be an object");
  EXPECT_FALSE(LoadIntentCatalogue("/nonexistent/intents.json").ok());
}

TEST(CatalogueTest, BankPolicyNamesOnlyKnownIntentsAndTags) {
  Status status = CheckAgainstCatalogue(Bank(), BankIntents());
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(CatalogueTest, RejectsUnknownIntentWithLine) {
  const Policy policy = MustParse(std::string(R"([[rule]]
name = "fees"
intents = [
  "fees",
  "fess",
]
action = "draft"
reason.de = "x"
reason.en = "y"

[[rule]]
name = "disputes"
tags = ["money_disputes"]
action = "person"
reason.de = "x"
reason.en = "y"
)") + kDefaultRule);
  Status status = CheckAgainstCatalogue(policy, BankIntents());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "test.toml:5: rule \"fees\": unknown intent \"fess\" (did you mean \"fees\"?); the "
            "intent catalogue has no such intent\n"
            "test.toml:13: rule \"disputes\": unknown tag \"money_disputes\" (did you mean "
            "\"money_dispute\"?); the intent catalogue gives no intent this tag");
}

// ---- candor policy check ----------------------------------------------------

TEST(PolicyCheckTest, SummarisesEachRuleOfAGoodPolicy) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPolicyCheck(kBankPolicy, kBankIntents, out, err), 0);
  EXPECT_EQ(err.str(), "");
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            static_cast<long>(Bank().rules().size()) + 1);
  EXPECT_THAT(text, HasSubstr("money_disputes"));
  EXPECT_THAT(text, HasSubstr("intent tagged money_dispute"));
  EXPECT_THAT(text, HasSubstr("always (default rule)"));
  EXPECT_THAT(text, HasSubstr("10 rules, ok"));
}

TEST(PolicyCheckTest, PrintsEveryErrorWithFileAndLine) {
  const std::string path = ::testing::TempDir() + "/policy_check_bad.toml";
  {
    std::ofstream file(path);
    file << "[[rule]]\nname = \"a\"\naction = \"aprove\"\nreason.de = \"x\"\n"
            "reason.en = \"y\"\nintents = [\"fess\"]\n\n"
            "[[rule]]\nname = \"b\"\nactoin = \"answer\"\nreason.de = \"x\"\nreason.en = \"y\"\n";
  }
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPolicyCheck(path, "", out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(), HasSubstr(path + ":3: rule \"a\": unknown action \"aprove\""));
  EXPECT_THAT(err.str(), HasSubstr(path + ":10: rule \"b\": unknown key \"actoin\""));
  EXPECT_THAT(err.str(), HasSubstr(path + ":8: no default rule"));
  EXPECT_THAT(err.str(), Not(HasSubstr("\n\n")));
}

TEST(PolicyCheckTest, ChecksIntentsAgainstTheCatalogue) {
  const std::string path = ::testing::TempDir() + "/policy_check_intents.toml";
  {
    std::ofstream file(path);
    file << "[[rule]]\nname = \"a\"\naction = \"draft\"\nreason.de = \"x\"\n"
            "reason.en = \"y\"\nintents = [\"fess\"]\n"
         << kDefaultRule;
  }
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPolicyCheck(path, "", out, err), 0);
  out.str("");
  EXPECT_EQ(RunPolicyCheck(path, kBankIntents, out, err), 1);
  EXPECT_THAT(err.str(), AllOf(StartsWith(path + ":6: rule \"a\": unknown intent \"fess\""),
                               HasSubstr("did you mean \"fees\"")));
}

}  // namespace
}  // namespace candor::policy
