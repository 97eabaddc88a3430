// answer: what the AI may say, and only with its sources (DESIGN.md: answer
// depends on core and knowledge).
//
// The extractive composer needs no language model: it answers with the best
// passage of the knowledge base, cited as [1], when the evidence is strong
// enough, and otherwise says "I don't know" in the customer's language and
// offers a person. It never guesses.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "knowledge/knowledge.h"

namespace candor::answer {

struct Source {
  int number = 0;  // as cited in the text: [1], [2]
  std::string article;
  std::string title;
  std::string url;
  std::string heading;
  std::string passage;
};

// What the composer needs to know about the question.
struct Question {
  std::string text;      // masked
  std::string language;  // "de" or "en"; anything else is answered in German
  // From the understand stage: the most likely intent, also when out of
  // scope; empty when unknown.
  std::string intent;
  bool in_scope = false;  // false: the out-of-scope detector fired (evidence, not a veto)
  // The intent model's probability of `intent`; below 0 when not known,
  // then taken as 1 in scope and 0 out of scope.
  double intent_confidence = -1;
};

struct Answer {
  bool dont_know = true;        // true: "I don't know", and a person is offered
  std::string text;             // in the customer's language, citing [n]
  std::vector<Source> sources;  // what the text cites
  double confidence = 0;        // in [0, 1]
  std::string composer = "extractive";
  // Why the composer answered or did not, for people (English, no personal data).
  std::string why;
  // The evidence the confidence was computed from (see composer.cc).
  bool intent_agrees = false;    // the best passage's article declares the intent
  bool intent_declared = false;  // some article of the language declares it
  bool in_scope = false;         // the question's, as understood
  double intent_confidence = 0;  // the question's, as used (see Question)
  double strength = 0;           // score / (score + 4)
  double margin = 0;             // how far ahead of the best passage of another article
  double coverage = 0;           // share of the question's words in the passage
  double weighted_coverage = 0;  // the same, weighted by how informative each word is
  double heading_coverage = 0;   // weighted share in the article's title or the heading
  double unseen = 0;             // weighted share in no passage at all
};

struct ComposerOptions {
  size_t candidates = 5;  // passages considered (the best, and others for the margin)
  // The bar the confidence must reach: 0.42 answers 5 in 6 of the demo
  // bank's answerable questions (see composer.cc for how it was chosen);
  // higher refuses more of both kinds.
  double min_confidence = 0.42;
};

// Thread-safety: Retrieve, ComposeFrom and Compose may be called from any
// number of threads at once (the knowledge base allows it).
class ExtractiveComposer {
 public:
  ExtractiveComposer(const knowledge::KnowledgeBase& base, ComposerOptions options = {})
      : base_(base), options_(options) {}
  // The passages an answer to `question` may cite, best first.
  Result<std::vector<knowledge::Hit>> Retrieve(const Question& question) const;
  // The answer from passages Retrieve found (none: "I don't know").
  Answer ComposeFrom(const Question& question, const std::vector<knowledge::Hit>& hits) const;
  // Retrieve, then ComposeFrom.
  Answer Compose(const Question& question) const;

 private:
  const knowledge::KnowledgeBase& base_;
  ComposerOptions options_;
};

// Abstention on a question set (knowledge::LoadQuestions): how often the
// composer says "I don't know" where it should, and where it should not.
// One question's outcome, for finding what the composer gets wrong.
struct AbstentionOutcome {
  size_t line = 0;  // in the question file
  std::string question;
  std::optional<std::string> article;  // the article that answers it; none: unanswerable
  Answer answer;
};
struct AbstentionEvaluation {
  double unanswerable_refused = 0;  // share of unanswerable questions answered "I don't know"
  double answerable_refused = 0;    // share of answerable ones wrongly refused
  double answered_from_right_article = 0;   // of the answerable ones answered
  std::vector<AbstentionOutcome> outcomes;  // one per question, in order
};
AbstentionEvaluation EvaluateAbstention(
    const ExtractiveComposer& composer, const std::vector<knowledge::Question>& questions,
    const std::function<Question(const knowledge::Question&)>& understand);

// The honest reply when there is no reliable answer, in `language`.
std::string DontKnowText(const std::string& language);

}  // namespace candor::answer
