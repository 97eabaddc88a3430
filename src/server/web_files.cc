#include "server/internal/web_files.h"

#include <fstream>
#include <sstream>

#include "server/internal/errors.h"

namespace candor {
namespace {

bool PlainName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

std::string_view ContentType(std::string_view name) {
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".woff2")) return "font/woff2";
  if (ends(".json") || ends(".map")) return "application/json";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace

HttpResponse ServeWebFile(const std::string& dir, std::string_view name) {
  if (dir.empty()) {
    return ErrorResponse(ApiError::kNotFound,
                         "the web front end is not configured (server.web_dir)");
  }
  std::string_view file = name;
  const bool asset = file.rfind("assets/", 0) == 0;
  if (asset) file.remove_prefix(7);
  if (!PlainName(file)) return ErrorResponse(ApiError::kNotFound, "no such file");
  const std::string path = dir + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ErrorResponse(ApiError::kNotFound,
                         asset ? "no such file" : "the web front end is not built (make build)");
  }
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse response;
  response.content_type = std::string(ContentType(file));
  response.body = std::move(body).str();
  response.headers.emplace_back("Content-Security-Policy", kWebContentSecurityPolicy);
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  // Hashed assets never change under their name; pages and the widget may.
  response.headers.emplace_back("Cache-Control",
                                asset ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace candor
