// Where candor finds the files it ships with: the trained models, the built web
// front end and the demo bank's data (knowledge base, policy, intent catalogue).
//
// Installed (cmake --install, the Debian package), they sit in share/candor
// beside bin/candor, so the binary looks in <its directory>/../share/candor. In
// the build tree, CMake sets up share/candor next to the binary, linking to the
// models it trained and the source tree's data. storage.share_dir in the
// configuration overrides both. The binary holds no path of the source tree, so
// an installed candor runs where the sources never were.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace candor {

// The shipped files under one share directory.
struct ShippedFiles {
  std::filesystem::path root;

  std::string IntentModel() const { return (root / "models" / "bank").string(); }
  std::string DistressModel() const { return (root / "models" / "distress").string(); }
  std::string WebDir() const { return (root / "web").string(); }
  std::string DemoKnowledgeBase() const { return (root / "demo" / "kb").string(); }
  std::string DemoPolicy() const { return (root / "demo" / "policy.toml").string(); }
  std::string DemoIntentCatalogue() const { return (root / "demo" / "intents.json").string(); }
};

// The share directories tried, in order, for the binary at `binary`: the
// installed place, then the build tree's.
std::vector<std::filesystem::path> ShareDirCandidates(const std::filesystem::path& binary);

// `configured` when it is set; otherwise the first candidate for this
// process's own binary (/proc/self/exe) that exists; otherwise the installed
// place, so that an error about a missing file names where it was expected.
ShippedFiles LocateShippedFiles(const std::string& configured);

}  // namespace candor
