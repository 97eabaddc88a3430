// libFuzzer target: knowledge-base articles, Markdown with front matter
// (cmark-gfm) and HTML (gumbo). The first byte picks the format. An article
// that reads has a title, a language candor answers in, and passages of
// valid UTF-8.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/text.h"
#include "knowledge/knowledge.h"

namespace {

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  const bool html = (data[0] & 1) != 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  candor::Result<candor::knowledge::Article> article =
      html ? candor::knowledge::ParseHtmlArticle("fuzz.html", bytes)
           : candor::knowledge::ParseMarkdownArticle("fuzz.md", bytes);
  if (!article.ok()) {
    if (article.status().message().empty()) Fail("a rejected article says nothing about why", "");
    return 0;
  }
  if (article->title.empty()) Fail("an article without a title was read", "");
  if (article->language != "de" && article->language != "en") {
    Fail("an article in a language candor does not answer in was read", article->language);
  }
  for (const auto& passage : article->passages) {
    if (!candor::IsValidUtf8(passage.text) || !candor::IsValidUtf8(passage.heading)) {
      Fail("a passage is not valid UTF-8", passage.heading);
    }
  }
  return 0;
}
