#include "cli/install_layout.h"

#include <system_error>

namespace candor {

std::vector<std::filesystem::path> ShareDirCandidates(const std::filesystem::path& binary) {
  const std::filesystem::path dir = binary.parent_path();
  return {(dir.parent_path() / "share" / "candor").lexically_normal(),
          (dir / "share" / "candor").lexically_normal()};
}

ShippedFiles LocateShippedFiles(const std::string& configured) {
  if (!configured.empty()) return {configured};
  std::error_code ec;
  const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {"/usr/share/candor"};  // no /proc: where the Debian package puts them
  const auto candidates = ShareDirCandidates(binary);
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_directory(candidate, ec)) return {candidate};
  }
  return {candidates.front()};
}

}  // namespace candor
