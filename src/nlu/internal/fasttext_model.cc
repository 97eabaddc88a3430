#include "nlu/internal/fasttext_model.h"

#include <fasttext/densematrix.h>
#include <fasttext/dictionary.h>
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

#include "nlu/internal/vector_math.h"

namespace candor::nlu::internal {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";

uint64_t WordKey(std::string_view word) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : word) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h | 1;
}

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
      output_->cols() != input_->cols() || dictionary->nwords() <= 0) {
    return Status::InvalidArgument("fastText model: unexpected matrix shapes");
  }
  const int64_t dim = input_->cols();
  // Transposed, the logits are a sum of rows (vectorisable) instead of one
  // dot product per label.
  const int64_t labels = output_->rows();
  output_by_dim_.assign(static_cast<size_t>(labels * dim), 0.0f);
  for (int64_t label = 0; label < labels; ++label) {
    for (int64_t d = 0; d < dim; ++d) output_by_dim_[d * labels + label] = output_->at(label, d);
  }
  size_t capacity = 16;
  while (capacity < static_cast<size_t>(dictionary->nwords()) * 2) capacity *= 2;
  word_slots_.assign(capacity, WordSlot{});
  for (int32_t id = 0; id < dictionary->nwords(); ++id) {
    const std::string text = dictionary->getWord(id);
    const uint64_t key = WordKey(text);
    size_t slot = key & (capacity - 1);
    while (word_slots_[slot].key != 0) slot = (slot + 1) & (capacity - 1);
    word_slots_[slot] = {key, id, dictionary->hash(text)};
  }
  word_sums_.assign(static_cast<size_t>(dictionary->nwords()) * dim, 0.0f);
  word_rows_.assign(dictionary->nwords(), 0);
  for (int32_t word = 0; word < dictionary->nwords(); ++word) {
    float* sum = word_sums_.data() + static_cast<size_t>(word) * dim;
    for (int32_t row : dictionary->getSubwords(word)) {
      const float* values = input_->data() + static_cast<int64_t>(row) * dim;
      for (int64_t d = 0; d < dim; ++d) sum[d] += values[d];
      ++word_rows_[word];
    }
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
// that its softmax turns into probabilities), computed here with the words'
// rows summed ahead of time. Which rows a message has follows
// Dictionary::getLine exactly: each word (a known word's own row and its
// subwords, an unknown word's subwords), the end of sentence, then each word
// bigram's hashed bucket. nlu_test checks the result against fastText's own
// predictions.
const FastTextModel::WordSlot* FastTextModel::FindWord(uint64_t key) const {
  const size_t mask = word_slots_.size() - 1;
  for (size_t slot = key & mask;; slot = (slot + 1) & mask) {
    if (word_slots_[slot].key == key) return &word_slots_[slot];
    if (word_slots_[slot].key == 0) return nullptr;
  }
}

void FastTextModel::LogScores(std::string_view normalized_text, float* out) const {
  const size_t count = our_label_.size();
  const auto dictionary = fasttext_->getDictionary();
  const int64_t dim = input_->cols();
  const float* input = input_->data();
  std::vector<float> hidden(static_cast<size_t>(dim), 0.0f);
  int64_t rows = 0;
  std::vector<int32_t> hashes;  // fastText keeps them as int32_t: sign matters below
  std::vector<int32_t> subwords;
  std::string word;
  auto add_row = [&](const float* values) { AddScaled(hidden.data(), values, 1.0f, dim); };
  // Words first: their ids and hashes; the bigram rows they imply are asked
  // for (they sit anywhere in a matrix of tens of megabytes) while the words'
  // own sums are added.
  std::vector<int32_t> known;  // fastText word ids, -1 for an unknown word
  std::vector<std::string_view> texts;
  auto read_word = [&](std::string_view token) {
    int32_t id = -1;
    uint32_t hash = 0;
    if (const WordSlot* slot = FindWord(WordKey(token))) {
      id = slot->id;
      hash = slot->hash;
      __builtin_prefetch(word_sums_.data() + static_cast<size_t>(id) * dim);
    } else {
      word.assign(token.data(), token.size());
      if (dictionary->getType(word) != fasttext::entry_type::word) return;  // "__label__x"
      hash = dictionary->hash(word);
    }
    known.push_back(id);
    texts.push_back(token);
    hashes.push_back(static_cast<int32_t>(hash));
  };
  size_t start = 0;
  while (start < normalized_text.size()) {
    size_t end = normalized_text.find(' ', start);
    if (end == std::string_view::npos) end = normalized_text.size();
    if (end > start) read_word(normalized_text.substr(start, end - start));
    start = end + 1;
  }
  read_word(fasttext::Dictionary::EOS);  // training lines end in a newline
  std::vector<int64_t> bigram_rows;
  const uint64_t buckets = static_cast<uint64_t>(input_->rows() - dictionary->nwords());
  if (buckets > 0) {
    for (size_t i = 0; i + 1 < hashes.size(); ++i) {
      // Dictionary::addWordNgrams with wordNgrams = 2, int32 → uint64 as it does.
      uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hashes[i]));
      h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(hashes[i + 1]));
      const int64_t row = dictionary->nwords() + static_cast<int64_t>(h % buckets);
      const char* bytes = reinterpret_cast<const char*>(input + row * dim);
      for (int64_t byte = 0; byte < dim * static_cast<int64_t>(sizeof(float)); byte += 64) {
        __builtin_prefetch(bytes + byte);
      }
      bigram_rows.push_back(row);
    }
  }
  for (size_t i = 0; i < known.size(); ++i) {
    if (known[i] >= 0) {
      add_row(word_sums_.data() + static_cast<size_t>(known[i]) * dim);
      rows += word_rows_[known[i]];
    } else {
      word.assign(texts[i].data(), texts[i].size());
      subwords.clear();
      dictionary->computeSubwords(fasttext::Dictionary::BOW + word + fasttext::Dictionary::EOW,
                                  subwords);
      for (int32_t row : subwords) add_row(input + static_cast<int64_t>(row) * dim);
      rows += static_cast<int64_t>(subwords.size());
    }
  }
  for (int64_t row : bigram_rows) add_row(input + row * dim);
  rows += static_cast<int64_t>(bigram_rows.size());
  if (rows == 0) {  // nothing fastText knows: no opinion
    for (size_t i = 0; i < count; ++i) out[i] = 0.0f;
    return;
  }
  const float scale = 1.0f / static_cast<float>(rows);
  std::vector<float> logits(count, 0.0f);
  for (int64_t d = 0; d < dim; ++d) {
    AddScaled(logits.data(), output_by_dim_.data() + static_cast<size_t>(d) * count,
              hidden[d] * scale, count);
  }
  for (size_t label = 0; label < count; ++label) out[our_label_[label]] = logits[label];
}

}  // namespace candor::nlu::internal
