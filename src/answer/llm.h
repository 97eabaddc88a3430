// An optional language model, through an OpenAI-compatible chat-completions
// endpoint (libcurl, streaming). It only ever receives masked text and the
// retrieved passages, must cite them as [n], and what it writes is checked:
// a sentence no cited passage supports is dropped. When nothing grounded
// remains, the caller falls back to the extractive answer or "I don't know".
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "answer/answer.h"
#include "core/status.h"

namespace candor::answer {

struct LlmOptions {
  std::string endpoint;  // e.g. http://127.0.0.1:8000/v1/chat/completions
  std::string model;
  std::string api_key;  // read from the variable named by `api_key_env`; may be empty
  std::chrono::milliseconds timeout{20000};  // the whole request, each attempt
  int attempts = 2;                          // a failed request is tried again once
};

// What happened on the way, for the customer's tracker ("the model did not
// answer in time, trying again").
struct LlmAttempt {
  std::string outcome;  // "ok", "timeout", "http 500", "connection failed", "bad response"
  std::chrono::milliseconds took{0};
};

struct LlmReply {
  std::string text;  // as the model wrote it, streamed and joined
  std::vector<LlmAttempt> attempts;
};

// Told about each attempt as it starts and ends, so the customer's tracker can
// show a slow or failing model while it happens.
struct LlmObserver {
  std::function<void(int attempt)> started;  // 1-based
  std::function<void(int attempt, const LlmAttempt&)> finished;
};

class LlmClient {
 public:
  explicit LlmClient(LlmOptions options);
  // `on_text` sees each streamed piece as it arrives.
  Result<LlmReply> Complete(const Question& question, const std::vector<Source>& passages,
                            const std::function<void(std::string_view)>& on_text = {},
                            const LlmObserver& observer = {}) const;
  const std::string& Model() const { return options_.model; }
  // The JSON request body, exactly as sent (tests check what leaves the building).
  std::string RequestBody(const Question& question, const std::vector<Source>& passages) const;

 private:
  LlmOptions options_;
};

struct Grounded {
  std::string text;                  // the supported sentences, in order
  std::vector<std::string> dropped;  // the sentences removed, and why is "unsupported"
  std::vector<int> cited;            // source numbers still cited
};

// Keeps a sentence only when it cites a passage that exists ([n], 1-based),
// at least `min_overlap` of its content words occur in a cited passage, and
// every figure in it does.
// A placeholder the passages do not contain ([IBAN_1]) is never kept.
Grounded GroundAnswer(const std::string& text, const std::vector<Source>& passages,
                      double min_overlap = 0.5);

}  // namespace candor::answer
