// libFuzzer target: decoding stored event bodies (src/core/event.h). The
// first byte picks the kind, the rest is the stored JSON. A body that decodes
// must encode to JSON that decodes to the same encoding again (what the ledger
// leaf of a stored row relies on), through the direct writer exactly as the
// generic one, and render for the API without throwing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/event.h"

namespace {

constexpr std::string_view kKinds[] = {"message",       "work_step", "reveal",
                                       "understanding", "decision",  "draft",
                                       "review",        "queue",     "commitment"};

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view kind = kKinds[data[0] % std::size(kKinds)];
  const std::string_view json(reinterpret_cast<const char*>(data + 1), size - 1);
  candor::Result<candor::EventBody> body = candor::DecodeEventBody(kind, json);
  if (!body.ok()) return 0;
  if (candor::EventKind(*body) != kind) Fail("decoded into another kind", std::string(kind));
  const std::string encoded = candor::EncodeEventBody(*body);
  const std::string generic = candor::EncodeEventBodyGeneric(*body);
  if (encoded != generic)
    Fail("the direct writer differs from the generic one", encoded + "\n" + generic);
  candor::Result<candor::EventBody> again = candor::DecodeEventBody(kind, encoded);
  if (!again.ok()) Fail("an encoded body does not decode", encoded);
  const std::string reencoded = candor::EncodeEventBody(*again);
  if (reencoded != encoded)
    Fail("encode, decode, encode is not stable", encoded + "\n" + reencoded);
  candor::Event event;
  event.conversation_id = "c_fuzz";
  event.seq = 1;
  event.body = std::move(*body);
  (void)candor::EventToJson(event).dump();
  return 0;
}
