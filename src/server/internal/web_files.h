// The built web front end (chat, agent console, admin), served from a
// directory on disk: the pages by name, hashed assets, the embeddable widget.
// Files are read per request, so a rebuilt front end shows without a restart.
#pragma once

#include <string>
#include <string_view>

#include "server/internal/http_types.h"

namespace candor {

// The page or file `name` ("chat.html", "assets/index-3f2a.js", "widget.js")
// under `dir`. Names with anything but letters, digits, '.', '-', '_' and one
// "assets/" prefix are refused (404), so no path leaves the directory.
HttpResponse ServeWebFile(const std::string& dir, std::string_view name);

// The Content-Security-Policy every page is served with: scripts and styles
// only from candor itself, nothing inline.
inline constexpr const char* kWebContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors *";

}  // namespace candor
