#include "nlu/nlu.h"

namespace candor::nlu {

Understander::Understander(IntentModel intents, IntentModel distress, size_t distress_label,
                           Language fallback)
    : intents_(std::move(intents)),
      distress_(std::move(distress)),
      distress_label_(distress_label),
      fallback_(fallback),
      model_id_(intents_.Info().data_sha256.substr(0, 8) + "/" +
                distress_.Info().data_sha256.substr(0, 8)) {}

Result<Understander> Understander::Load(const std::string& intent_model,
                                        const std::string& distress_model, Language fallback) {
  auto intents = IntentModel::Load(intent_model);
  if (!intents.ok()) return intents.status();
  auto distress = IntentModel::Load(distress_model);
  if (!distress.ok()) return distress.status();
  const auto& labels = distress->Info().labels;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == "distress") {
      return Understander(std::move(*intents), std::move(*distress), i, fallback);
    }
  }
  return Status::InvalidArgument(distress_model + ": the distress model has no \"distress\" label");
}

Understanding Understander::Understand(std::string_view masked_text) const {
  Understanding understanding;
  understanding.language = DetectLanguage(masked_text, fallback_);
  const Prediction prediction = intents_.Predict(masked_text);
  understanding.intent = std::string(prediction.label);
  understanding.confidence = prediction.confidence;
  understanding.in_scope = prediction.in_scope;
  understanding.distress = distress_.Scores(masked_text)[distress_label_];
  return understanding;
}

}  // namespace candor::nlu
