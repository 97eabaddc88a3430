#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

struct TypeNames {
  PiiType type;
  std::string_view name;
  std::string_view label;
};
constexpr TypeNames kNames[] = {
    {PiiType::kEmail, "email", "EMAIL"},    {PiiType::kPhone, "phone", "PHONE"},
    {PiiType::kIban, "iban", "IBAN"},       {PiiType::kCard, "card", "CARD"},
    {PiiType::kTaxId, "tax_id", "TAX_ID"},  {PiiType::kIp, "ip", "IP"},
    {PiiType::kSecret, "secret", "SECRET"}, {PiiType::kBirthDate, "birth_date", "BIRTH_DATE"},
    {PiiType::kName, "name", "NAME"},       {PiiType::kAddress, "address", "ADDRESS"},
};
static_assert(std::size(kNames) == kPiiTypeCount);

}  // namespace

std::string_view PiiTypeName(PiiType type) { return kNames[static_cast<size_t>(type)].name; }

std::string_view PiiTypeLabel(PiiType type) { return kNames[static_cast<size_t>(type)].label; }

std::optional<PiiType> ParsePiiType(std::string_view name) {
  for (const TypeNames& t : kNames) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

}  // namespace candor::privacy
