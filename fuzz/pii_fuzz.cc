// libFuzzer target: the PII scanner and masker on arbitrary bytes. Aborts on
// any broken invariant (see src/privacy/internal/invariants.h); ASan and UBSan
// catch memory and undefined-behaviour errors. Build and run with fuzz/run.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "privacy/internal/invariants.h"
#include "privacy/privacy.h"

namespace {

struct Harness {
  candor::privacy::PiiScanner scanner;
  candor::privacy::ScanScratch scratch;
};

Harness* MakeHarness() {
  auto scanner = candor::privacy::PiiScanner::Create();
  if (!scanner.ok()) std::abort();
  auto scratch = scanner->NewScratch();
  if (!scratch.ok()) std::abort();
  return new Harness{std::move(scanner).value(), std::move(scratch).value()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Built once per fuzzing process and never freed: the harness lives as
  // long as the process.
  static Harness* harness = MakeHarness();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string broken =
      candor::privacy::internal::CheckScanInvariants(harness->scanner, harness->scratch, text);
  if (!broken.empty()) {
    std::fprintf(stderr, "invariant broken: %s\n", broken.c_str());
    std::abort();
  }
  return 0;
}
