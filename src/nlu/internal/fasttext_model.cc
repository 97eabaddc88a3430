#include "nlu/internal/fasttext_model.h"

#include <fasttext/fasttext.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace candor::nlu::internal {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";

// fastText trains from a file; this one lives only while training does.
class ScratchFile {
 public:
  ScratchFile() {
    auto pattern = (std::filesystem::temp_directory_path() / "candor-nlu-XXXXXX").string();
    int fd = mkstemp(pattern.data());
    if (fd >= 0) {
      close(fd);
      path_ = pattern;
    }
  }
  ~ScratchFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

FastTextModel::FastTextModel() : fasttext_(std::make_unique<fasttext::FastText>()) {}
FastTextModel::FastTextModel(FastTextModel&&) noexcept = default;
FastTextModel& FastTextModel::operator=(FastTextModel&&) noexcept = default;
FastTextModel::~FastTextModel() = default;

Status FastTextModel::MapLabels(const std::vector<std::string>& label_names) {
  std::unordered_map<std::string, int> index;
  for (size_t i = 0; i < label_names.size(); ++i) index[label_names[i]] = static_cast<int>(i);
  auto dictionary = fasttext_->getDictionary();
  our_label_.assign(dictionary->nlabels(), -1);
  for (int32_t i = 0; i < dictionary->nlabels(); ++i) {
    std::string name = dictionary->getLabel(i);
    if (name.rfind(kLabelPrefix, 0) == 0) name.erase(0, kLabelPrefix.size());
    auto found = index.find(name);
    if (found == index.end()) {
      return Status::InvalidArgument("fasttext.bin: label \"" + name + "\" is not in model.json");
    }
    our_label_[i] = found->second;
  }
  return Status::Ok();
}

Result<FastTextModel> FastTextModel::Train(const std::vector<std::string>& texts,
                                           const std::vector<int>& labels,
                                           const std::vector<std::string>& label_names,
                                           const FastTextOptions& options,
                                           const std::function<void(double)>& progress) {
  ScratchFile input;
  if (input.path().empty()) return Status::IoError("cannot create a temporary file for fastText");
  {
    std::ofstream out(input.path(), std::ios::binary);
    for (size_t i = 0; i < texts.size(); ++i) {
      out << kLabelPrefix << label_names[labels[i]] << ' ' << texts[i] << '\n';
    }
    if (!out.flush()) return Status::IoError("cannot write fastText's training file");
  }
  fasttext::Args args;
  args.input = input.path();
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.lr = 0.5;
  args.dim = options.dim;
  args.epoch = options.epochs;
  args.wordNgrams = 2;
  args.minn = 2;
  args.maxn = 5;
  args.minCount = 1;
  args.bucket = options.buckets;
  args.thread = 1;
  args.seed = static_cast<int>(options.seed);
  args.verbose = 0;
  FastTextModel model;
  try {
    model.fasttext_->train(args, [&](float fraction, float, double, double, int64_t) {
      if (progress) progress(fraction);
    });
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("fastText: ") + e.what());
  }
  CANDOR_RETURN_IF_ERROR(model.MapLabels(label_names));
  return model;
}

Result<FastTextModel> FastTextModel::Load(const std::string& path,
                                          const std::vector<std::string>& label_names) {
  FastTextModel model;
  try {
    model.fasttext_->loadModel(path);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  CANDOR_RETURN_IF_ERROR(model.MapLabels(label_names));
  return model;
}

Status FastTextModel::Save(const std::string& path) const {
  try {
    fasttext_->saveModel(path);
  } catch (const std::exception& e) {
    return Status::IoError(path + ": " + e.what());
  }
  return Status::Ok();
}

void FastTextModel::Probabilities(std::string_view normalized_text, float* out) const {
  const size_t count = our_label_.size();
  // A line of nothing but unknown words: fastText has no opinion.
  for (size_t i = 0; i < count; ++i) out[i] = 1.0f / static_cast<float>(count);
  // Training lines end in a newline, which fastText reads as an end-of-sentence word.
  std::string text(normalized_text);
  text += '\n';
  std::istringstream line(std::move(text));
  std::vector<int32_t> words;
  std::vector<int32_t> labels;
  fasttext_->getDictionary()->getLine(line, words, labels);
  if (words.empty()) return;
  fasttext::Predictions predictions;
  fasttext_->predict(-1, words, predictions, 0.0);
  if (predictions.empty()) return;
  for (size_t i = 0; i < count; ++i) out[i] = 0;
  for (const auto& [log_probability, label] : predictions) {
    out[our_label_[label]] = std::exp(log_probability);
  }
}

}  // namespace candor::nlu::internal
