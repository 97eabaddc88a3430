// answer: what the AI may say, and only with its sources (DESIGN.md: answer
// depends on core and knowledge).
//
// The extractive composer needs no language model: it answers with the best
// passage of the knowledge base, cited as [1], when the evidence is strong
// enough, and otherwise says "I don't know" in the customer's language and
// offers a person. It never guesses.
#pragma once

#include <functional>
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
  std::string intent;    // from the understand stage; empty when unknown
  bool in_scope = false;
};

struct Answer {
  bool dont_know = true;           // true: "I don't know", and a person is offered
  std::string text;                // in the customer's language, citing [n]
  std::vector<Source> sources;     // what the text cites
  double confidence = 0;           // in [0, 1]
  std::string composer = "extractive";
  // Why the composer answered or did not, for people (English, no personal data).
  std::string why;
  // The evidence the confidence was computed from.
  bool intent_agrees = false;
  double strength = 0;
  double margin = 0;
  double coverage = 0;
};

struct ComposerOptions {
  size_t candidates = 5;     // passages considered (the best, and others for the margin)
  double min_confidence = 0.5;
};

class ExtractiveComposer {
 public:
  ExtractiveComposer(const knowledge::KnowledgeBase& base, ComposerOptions options = {})
      : base_(base), options_(options) {}
  Answer Compose(const Question& question) const;

 private:
  const knowledge::KnowledgeBase& base_;
  ComposerOptions options_;
};

// Abstention on a question set (knowledge::LoadQuestions): how often the
// composer says "I don't know" where it should, and where it should not.
struct AbstentionEvaluation {
  double unanswerable_refused = 0;  // share of unanswerable questions answered "I don't know"
  double answerable_refused = 0;    // share of answerable ones wrongly refused
  double answered_from_right_article = 0;  // of the answerable ones answered
};
AbstentionEvaluation EvaluateAbstention(
    const ExtractiveComposer& composer, const std::vector<knowledge::Question>& questions,
    const std::function<Question(const knowledge::Question&)>& understand);

// The honest reply when there is no reliable answer, in `language`.
std::string DontKnowText(const std::string& language);

}  // namespace candor::answer
