#include "nlu/internal/fasttext_model.h"

#include <fasttext/densematrix.h>
#include <fasttext/fasttext.h>
#include <unistd.h>

#include <algorithm>
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
  try {
    input_ = fasttext_->getInputMatrix();
    output_ = fasttext_->getOutputMatrix();
  } catch (const std::exception& e) {  // a quantised model has no dense matrices
    return Status::InvalidArgument(std::string("fastText model: ") + e.what());
  }
  if (!input_ || !output_ || output_->rows() != dictionary->nlabels() ||
      output_->cols() != input_->cols()) {
    return Status::InvalidArgument("fastText model: unexpected matrix shapes");
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
  args.minn = 3;
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

// fastText's own prediction (the mean of the rows, then the label logits
// that its softmax turns into probabilities), computed here so the rows can be prefetched: they are scattered
// over a matrix of tens of megabytes, and waiting for each in turn is most
// of the time a prediction takes.
void FastTextModel::LogScores(std::string_view normalized_text, float* out) const {
  const size_t count = our_label_.size();
  // A line of nothing but unknown words: fastText has no opinion.
  for (size_t i = 0; i < count; ++i) out[i] = 0.0f;
  // Training lines end in a newline, which fastText reads as an end-of-sentence word.
  std::string text(normalized_text);
  text += '\n';
  std::istringstream line(std::move(text));
  std::vector<int32_t> rows;
  std::vector<int32_t> labels;
  fasttext_->getDictionary()->getLine(line, rows, labels);
  if (rows.empty()) return;

  const int64_t dim = input_->cols();
  const float* input = input_->data();
  constexpr size_t kAhead = 8;
  auto prefetch = [&](size_t i) {
    const char* row = reinterpret_cast<const char*>(input + rows[i] * dim);
    for (int64_t byte = 0; byte < dim * static_cast<int64_t>(sizeof(float)); byte += 64) {
      __builtin_prefetch(row + byte);
    }
  };
  for (size_t i = 0; i < std::min(kAhead, rows.size()); ++i) prefetch(i);
  std::vector<float> hidden(static_cast<size_t>(dim), 0.0f);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kAhead < rows.size()) prefetch(i + kAhead);
    const float* row = input + rows[i] * dim;
    for (int64_t d = 0; d < dim; ++d) hidden[d] += row[d];
  }
  const float scale = 1.0f / static_cast<float>(rows.size());
  for (auto& value : hidden) value *= scale;

  const float* output = output_->data();
  for (size_t label = 0; label < count; ++label) {
    const float* row = output + label * dim;
    float sum = 0;
    for (int64_t d = 0; d < dim; ++d) sum += row[d] * hidden[d];
    out[our_label_[label]] = sum;
  }
}

}  // namespace candor::nlu::internal
