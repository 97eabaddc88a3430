#include "nlu/nlu.h"

#include <gtest/gtest.h>

#include "nlu/internal/text.h"

namespace candor::nlu {
namespace {

TEST(NormalizeForModel, SplitsPunctuationFoldsCaseDigitsAndPlaceholders) {
  EXPECT_EQ(internal::NormalizeForModel("Where is my CARD?"), "where is my card ?");
  EXPECT_EQ(internal::NormalizeForModel("Überweisung von 250,00 € an [IBAN_1]!"),
            "überweisung von 000 , 00 € an [iban] !");
  EXPECT_EQ(internal::NormalizeForModel("  [NAME_12]said hi  "), "[name] said hi");
  EXPECT_EQ(internal::NormalizeForModel("[not a placeholder]"), "[ not a placeholder ]");
}

}  // namespace
}  // namespace candor::nlu
