// Articles from Markdown (cmark-gfm, with GFM tables) and HTML (gumbo),
// split into passages at their second-level headings.
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <gumbo.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/text.h"
#include "knowledge/knowledge.h"

namespace candor::knowledge {
namespace {

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Collapses runs of whitespace to one space (or one newline where a line
// break was), so passages read as text and index cleanly.
std::string Tidy(std::string_view text) {
  std::string out;
  bool space = false;
  bool newline = false;
  for (char c : text) {
    if (c == '\n') {
      newline = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      space = true;
    } else {
      if (!out.empty() && newline) {
        out += '\n';
      } else if (!out.empty() && space) {
        out += ' ';
      }
      out += c;
      space = newline = false;
    }
  }
  return out;
}

Status CheckArticle(const Article& article) {
  auto missing = [&](const char* what) {
    return Status::InvalidArgument(article.id + ": " + what);
  };
  if (article.title.empty()) return missing("no title");
  if (article.language != "de" && article.language != "en") {
    return missing("language must be de or en");
  }
  if (article.url.empty()) return missing("no url");
  if (article.passages.empty()) return missing("no text");
  for (const auto& passage : article.passages) {
    if (!IsValidUtf8(passage.text) || !IsValidUtf8(passage.heading)) {
      return missing("text is not valid UTF-8");
    }
  }
  return Status::Ok();
}

// "[a, b]" or "a, b" into {"a", "b"}.
std::vector<std::string> ParseTags(std::string_view value) {
  std::string text = Trim(value);
  if (!text.empty() && text.front() == '[') text.erase(0, 1);
  if (!text.empty() && text.back() == ']') text.pop_back();
  std::vector<std::string> tags;
  std::stringstream stream(text);
  std::string tag;
  while (std::getline(stream, tag, ',')) {
    tag = Trim(tag);
    if (tag.size() >= 2 && (tag.front() == '"' || tag.front() == '\''))
      tag = tag.substr(1, tag.size() - 2);
    if (!tag.empty()) tags.push_back(tag);
  }
  return tags;
}

std::string Unquote(std::string value) {
  value = Trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

struct CmarkFree {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};

std::string PlainText(cmark_node* node) {
  char* rendered = cmark_render_plaintext(node, CMARK_OPT_DEFAULT, 0);
  std::string text = rendered ? rendered : "";
  std::free(rendered);
  return text;
}

// ---- HTML ----

std::string_view Attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute ? std::string_view(attribute->value) : std::string_view();
}

void AppendText(const GumboNode* node, std::string& out) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
      node->type == GUMBO_NODE_CDATA) {
    out += node->v.text.text;
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  const GumboTag tag = node->v.element.tag;
  if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE) return;  // never text
  const bool block = tag == GUMBO_TAG_P || tag == GUMBO_TAG_LI || tag == GUMBO_TAG_TR ||
                     tag == GUMBO_TAG_DIV || tag == GUMBO_TAG_BR || tag == GUMBO_TAG_TABLE;
  if (block) out += '\n';
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    AppendText(static_cast<const GumboNode*>(children.data[i]), out);
    if (tag == GUMBO_TAG_TR) out += ' ';
  }
  if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) out += ' ';
  if (block) out += '\n';
}

struct HtmlWalk {
  Article& article;
  std::string intro;
  Passage* current = nullptr;

  void Visit(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) {
      if (node->type == GUMBO_NODE_TEXT) AppendText(node, current ? current->text : intro);
      return;
    }
    const GumboElement& element = node->v.element;
    switch (element.tag) {
      case GUMBO_TAG_TITLE: {
        std::string title;
        AppendText(node, title);
        if (article.title.empty()) article.title = Tidy(title);
        return;
      }
      case GUMBO_TAG_META: {
        const std::string_view name = Attribute(element, "name");
        const std::string content(Attribute(element, "content"));
        if (name == "language") article.language = Trim(content);
        if (name == "url") article.url = Trim(content);
        if (name == "reviewed-on") article.reviewed_on = Trim(content);
        if (name == "tags") article.tags = ParseTags(content);
        if (name == "intents") article.intents = ParseTags(content);
        return;
      }
      case GUMBO_TAG_H1:
        return;  // the title, already known
      case GUMBO_TAG_H2: {
        std::string heading;
        AppendText(node, heading);
        article.passages.push_back({Tidy(heading), ""});
        current = &article.passages.back();
        return;
      }
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
        return;
      case GUMBO_TAG_HTML:
      case GUMBO_TAG_HEAD:
      case GUMBO_TAG_BODY:
      case GUMBO_TAG_MAIN:
      case GUMBO_TAG_ARTICLE:
      case GUMBO_TAG_SECTION:
      case GUMBO_TAG_DIV: {
        const GumboVector& children = element.children;
        for (unsigned i = 0; i < children.length; ++i) {
          Visit(static_cast<const GumboNode*>(children.data[i]));
        }
        return;
      }
      default:
        AppendText(node, current ? current->text : intro);
    }
  }
};

}  // namespace

Result<Article> ParseMarkdownArticle(std::string_view id, std::string_view bytes) {
  Article article;
  article.id = std::string(id);
  if (!IsValidUtf8(bytes)) return Status::InvalidArgument(article.id + ": not valid UTF-8");
  // Front matter: "---", "key: value" lines, "---".
  std::string_view body = bytes;
  if (body.rfind("---", 0) == 0) {
    const size_t end = body.find("\n---", 3);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument(article.id + ": front matter is not closed with ---");
    }
    std::stringstream lines{std::string(body.substr(3, end - 3))};
    std::string line;
    int number = 0;  // the first line read is the rest of line 1, after "---"
    while (std::getline(lines, line)) {
      ++number;
      if (Trim(line).empty()) continue;
      const size_t colon = line.find(':');
      if (colon == std::string::npos) {
        return Status::InvalidArgument(article.id + ":" + std::to_string(number) +
                                       ": expected \"key: value\" in the front matter");
      }
      const std::string key = Trim(line.substr(0, colon));
      const std::string value = line.substr(colon + 1);
      if (key == "title") article.title = Unquote(value);
      if (key == "language") article.language = Unquote(value);
      if (key == "url") article.url = Unquote(value);
      if (key == "reviewed-on") article.reviewed_on = Unquote(value);
      if (key == "tags") article.tags = ParseTags(value);
      if (key == "intents") article.intents = ParseTags(value);
    }
    const size_t after = body.find('\n', end + 1);
    body = after == std::string_view::npos ? std::string_view() : body.substr(after + 1);
  }

  cmark_gfm_core_extensions_ensure_registered();
  std::unique_ptr<cmark_parser, CmarkFree> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  if (cmark_syntax_extension* table = cmark_find_syntax_extension("table")) {
    cmark_parser_attach_syntax_extension(parser.get(), table);
  }
  cmark_parser_feed(parser.get(), body.data(), body.size());
  std::unique_ptr<cmark_node, CmarkFree> document(cmark_parser_finish(parser.get()));

  std::string intro;
  Passage* current = nullptr;
  for (cmark_node* node = cmark_node_first_child(document.get()); node;
       node = cmark_node_next(node)) {
    if (cmark_node_get_type(node) == CMARK_NODE_HEADING) {
      const int level = cmark_node_get_heading_level(node);
      if (level == 1) {
        if (article.title.empty()) article.title = Tidy(PlainText(node));
        continue;
      }
      if (level == 2) {
        article.passages.push_back({Tidy(PlainText(node)), ""});
        current = &article.passages.back();
        continue;
      }
    }
    (current ? current->text : intro) += PlainText(node) + "\n";
  }
  for (auto& passage : article.passages) passage.text = Tidy(passage.text);
  intro = Tidy(intro);
  // Text before the first section is a passage of its own, under the title.
  if (!intro.empty()) article.passages.insert(article.passages.begin(), {article.title, intro});
  article.passages.erase(std::remove_if(article.passages.begin(), article.passages.end(),
                                        [](const Passage& p) { return p.text.empty(); }),
                         article.passages.end());
  CANDOR_RETURN_IF_ERROR(CheckArticle(article));
  return article;
}

Result<Article> ParseHtmlArticle(std::string_view id, std::string_view bytes) {
  Article article;
  article.id = std::string(id);
  if (!IsValidUtf8(bytes)) return Status::InvalidArgument(article.id + ": not valid UTF-8");
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, bytes.data(), bytes.size());
  {
    HtmlWalk walk{article, "", nullptr};
    walk.Visit(output->root);
    std::string intro = Tidy(walk.intro);
    for (auto& passage : article.passages) passage.text = Tidy(passage.text);
    if (!intro.empty()) article.passages.insert(article.passages.begin(), {article.title, intro});
  }
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  article.passages.erase(std::remove_if(article.passages.begin(), article.passages.end(),
                                        [](const Passage& p) { return p.text.empty(); }),
                         article.passages.end());
  CANDOR_RETURN_IF_ERROR(CheckArticle(article));
  return article;
}

Result<Article> ReadArticle(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string id = path.substr(path.find_last_of('/') + 1);
  auto ends_with = [&](std::string_view suffix) {
    return id.size() >= suffix.size() &&
           id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".md") || ends_with(".markdown")) return ParseMarkdownArticle(id, buffer.str());
  if (ends_with(".html") || ends_with(".htm")) return ParseHtmlArticle(id, buffer.str());
  return Status::InvalidArgument(path + ": not a .md or .html file");
}

}  // namespace candor::knowledge
