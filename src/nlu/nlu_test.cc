#include "nlu/nlu.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nlu/internal/text.h"

namespace candor::nlu {
namespace {

namespace fs = std::filesystem;

const std::string kBankIntents = std::string(CANDOR_SOURCE_DIR) + "/data/nlu/bank/intents.jsonl";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "candor-nlu-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name, const std::string& contents = "") const {
    auto path = (fs::path(path_) / name).string();
    if (!contents.empty()) std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  std::string Path(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The demo bank's examples, every fifth held out (with its language).
struct Split {
  std::vector<Example> train, test;
  std::vector<std::string> test_languages;
};
Split SplitBank() {
  Split split;
  std::ifstream in(kBankIntents);
  std::string line;
  for (size_t i = 0; std::getline(in, line); ++i) {
    auto json = nlohmann::json::parse(line);
    Example example{json["text"], json["intent"]};
    if (i % 5 == 0) {
      split.test.push_back(example);
      split.test_languages.push_back(json["lang"]);
    } else {
      split.train.push_back(example);
    }
  }
  return split;
}

// One trained demo model shared by the tests that only read it.
class BankModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    split_ = new Split(SplitBank());
    auto model = IntentModel::Train(split_->train, {}, TrainOptions{});
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = new IntentModel(std::move(*model));
  }
  static void TearDownTestSuite() {
    delete model_;
    delete split_;
  }
  static Split* split_;
  static IntentModel* model_;
};
Split* BankModel::split_ = nullptr;
IntentModel* BankModel::model_ = nullptr;

TEST(NormalizeForModel, SplitsPunctuationFoldsCaseDigitsAndPlaceholders) {
  EXPECT_EQ(internal::NormalizeForModel("Where is my CARD?"), "where is my card ?");
  EXPECT_EQ(internal::NormalizeForModel("ÜBERWEISUNG von 250,00 € an [IBAN_1]!"),
            "überweisung von 000 , 00 € an [iban] !");
  EXPECT_EQ(internal::NormalizeForModel("  [NAME_12]said hi  "), "[name] said hi");
  EXPECT_EQ(internal::NormalizeForModel("[not a placeholder]"), "[ not a placeholder ]");
}

TEST(LoadDataset, ReadsQuotedCsvFieldsWithCommasQuotesAndLineBreaks) {
  TempDir dir;
  auto path = dir.File("data.csv",
                       "text,category\n"
                       "\"Hi, where is my card?\",card_arrival\n"
                       "\"He said \"\"stop\"\"\nthen left\",other\r\n"
                       "plain text,card_arrival\n");
  auto data = LoadDataset(path, Format::kCsv);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->train.size(), 3u);
  EXPECT_EQ(data->train[0].text, "Hi, where is my card?");
  EXPECT_EQ(data->train[1].text, "He said \"stop\"\nthen left");
  EXPECT_EQ(data->train[1].label, "other");
  EXPECT_EQ(data->train[2].label, "card_arrival");
}

TEST(LoadDataset, NamesTheFileAndLineOfTheFirstBadRecord) {
  TempDir dir;
  auto no_header = LoadDataset(dir.File("a.csv", "hello,world\nx,y\n"), Format::kCsv);
  ASSERT_FALSE(no_header.ok());
  EXPECT_NE(no_header.status().message().find("a.csv:1"), std::string::npos);

  auto bad_json = LoadDataset(
      dir.File("b.jsonl",
               "{\"text\":\"a\",\"intent\":\"x\"}\n{\"text\":\"b\",\"intent\":\"y\"}\n{oops\n"),
      Format::kJsonl);
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.status().message().find("b.jsonl:3"), std::string::npos);

  auto spaced_label = LoadDataset(
      dir.File("c.jsonl", "{\"text\":\"a\",\"intent\":\"two words\"}\n"), Format::kJsonl);
  ASSERT_FALSE(spaced_label.ok());
  EXPECT_NE(spaced_label.status().message().find("c.jsonl:1"), std::string::npos);

  auto bad_utf8 = LoadDataset(dir.File("d.csv", "text,category\n\xff\xfe,x\n"), Format::kCsv);
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_NE(bad_utf8.status().message().find("UTF-8"), std::string::npos);

  auto missing = LoadDataset(dir.Path("nowhere.csv"), Format::kCsv);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  EXPECT_FALSE(ParseFormat("xml").ok());
}

TEST(LoadDataset, ClincSplitsAndOutOfScopeRows) {
  TempDir dir;
  auto path =
      dir.File("clinc.json", R"({"train":[["hi","greeting"]],"oos_train":[["weather?","oos"]],
    "val":[["hello","greeting"]],"oos_val":[],"test":[["hey","greeting"]],"oos_test":[["pizza","oos"]]})");
  auto data = LoadDataset(path, Format::kClinc);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->train.size(), 2u);
  EXPECT_EQ(data->train[1].label, kOutOfScope);
  EXPECT_EQ(data->validation.size(), 1u);
  ASSERT_EQ(data->test.size(), 2u);
  EXPECT_EQ(data->test[1].label, kOutOfScope);

  auto wrong = LoadDataset(dir.File("wrong.json", R"({"train":[["only text"]]})"), Format::kClinc);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("train[0]"), std::string::npos);
}

TEST(IntentModel, RefusesDataWithOneLabel) {
  auto model = IntentModel::Train({{"a", "x"}, {"b", "x"}}, {}, TrainOptions{});
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BankModel, UnderstandsHeldOutBankMessagesInBothLanguages) {
  Evaluation evaluation = Evaluate(*model_, split_->test);
  std::cout << "demo bank, held out: accuracy " << evaluation.accuracy << ", in-scope accuracy "
            << evaluation.in_scope_accuracy.value_or(-1) << ", out-of-scope recall "
            << evaluation.oos_recall.value_or(-1) << "\n";
  EXPECT_GE(evaluation.accuracy, 0.83);
  ASSERT_TRUE(evaluation.in_scope_accuracy.has_value());
  EXPECT_GE(*evaluation.in_scope_accuracy, 0.80);
  EXPECT_GE(*evaluation.oos_recall, 0.85);
  EXPECT_EQ(evaluation.curve.size(), 101u);
}

TEST_F(BankModel, SaysWhatItIsAndWhenItDoesNotKnow) {
  auto lost = model_->Predict("Ich habe meine Karte verloren, bitte sofort sperren!");
  EXPECT_EQ(lost.label, "card_lost_or_stolen");
  EXPECT_TRUE(lost.in_scope);
  auto twice = model_->Predict("The same coffee was taken from my account twice");
  EXPECT_EQ(twice.label, "charged_twice");
  auto recipe = model_->Predict("What's a good recipe for banana bread?");
  EXPECT_FALSE(recipe.in_scope) << recipe.label << " " << recipe.confidence;
  auto scores = model_->Scores("Wie hoch sind die Gebühren für Auslandsüberweisungen?");
  float sum = 0;
  for (float score : scores) sum += score;
  EXPECT_NEAR(sum, 1.0f, 1e-4);
}

TEST_F(BankModel, SavedModelPredictsTheSameAfterLoading) {
  TempDir dir;
  ASSERT_TRUE(model_->Save(dir.Path("model")).ok());
  auto loaded = IntentModel::Load(dir.Path("model"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->Info().labels, model_->Info().labels);
  EXPECT_EQ(loaded->Threshold(), model_->Threshold());
  for (size_t i = 0; i < split_->test.size(); i += 7) {
    auto a = model_->Predict(split_->test[i].text);
    auto b = loaded->Predict(split_->test[i].text);
    EXPECT_EQ(a.label, b.label);
    // int8 weights are quantised at training time already: no drift on save.
    EXPECT_FLOAT_EQ(a.confidence, b.confidence);
  }
}

TEST_F(BankModel, DetectsGermanAndEnglish) {
  size_t right = 0;
  for (size_t i = 0; i < split_->test.size(); ++i) {
    auto language = LanguageCode(DetectLanguage(split_->test[i].text, Language::kGerman));
    right += language == split_->test_languages[i];
  }
  const double accuracy = static_cast<double>(right) / split_->test.size();
  std::cout << "language identification on held-out bank messages: " << accuracy << "\n";
  EXPECT_GE(accuracy, 0.90);
  EXPECT_EQ(
      DetectLanguage("Je voudrais savoir pourquoi ma carte bancaire a été refusée hier soir au "
                     "restaurant.",
                     Language::kGerman),
      Language::kOther);
  EXPECT_EQ(DetectLanguage("ok", Language::kGerman), Language::kGerman);  // too short: the fallback
  EXPECT_EQ(DetectLanguage("\xff\xfe", Language::kEnglish), Language::kEnglish);
}

TEST(IntentModel, SameSeedSameModelFiles) {
  Split split = SplitBank();
  split.train.resize(600);
  TrainOptions options;
  options.epochs = 10;
  TempDir dir;
  for (const char* name : {"first", "second"}) {
    auto model = IntentModel::Train(split.train, {}, options);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ASSERT_TRUE(model->Save(dir.Path(name)).ok());
  }
  for (const char* file : {"model.json", "linear.bin", "fasttext.bin"}) {
    EXPECT_EQ(ReadBytes(dir.Path(std::string("first/") + file)),
              ReadBytes(dir.Path(std::string("second/") + file)))
        << file << " differs between two runs with the same seed";
  }
}

TEST(IntentModel, LoadReportsMissingAndDamagedModels) {
  TempDir dir;
  EXPECT_EQ(IntentModel::Load(dir.Path("none")).status().code(), StatusCode::kNotFound);
  Split split = SplitBank();
  split.train.resize(300);
  TrainOptions options;
  options.epochs = 5;
  auto model = IntentModel::Train(split.train, {}, options);
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(model->Save(dir.Path("m")).ok());
  auto bytes = ReadBytes(dir.Path("m/linear.bin"));
  std::ofstream(dir.Path("m/linear.bin"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  auto damaged = IntentModel::Load(dir.Path("m"));
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().message().find("truncated"), std::string::npos);
  std::ofstream(dir.Path("m/model.json")) << "{\"format\":\"something else\"}";
  EXPECT_EQ(IntentModel::Load(dir.Path("m")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BankModel, EvaluationReportsAreWellFormed) {
  std::vector<Example> in_scope_only;
  for (const auto& example : split_->test) {
    if (example.label != kOutOfScope) in_scope_only.push_back(example);
  }
  auto without_oos = nlohmann::json::parse(EvaluationJson(Evaluate(*model_, in_scope_only)));
  EXPECT_TRUE(without_oos["in_scope_accuracy"].is_null());
  EXPECT_TRUE(without_oos["oos_recall"].is_null());
  EXPECT_TRUE(without_oos["oos_precision"].is_null());
  EXPECT_GT(without_oos["accuracy"].get<double>(), 0.8);

  Evaluation with_oos = Evaluate(*model_, split_->test);
  auto json = nlohmann::json::parse(EvaluationJson(with_oos));
  for (const char* key :
       {"accuracy", "macro_f1", "in_scope_accuracy", "oos_precision", "oos_recall"}) {
    EXPECT_TRUE(json[key].is_number()) << key;
  }
  // Higher thresholds reject more out-of-scope messages and keep fewer answers.
  EXPECT_LE(*with_oos.curve[10].oos_recall, *with_oos.curve[90].oos_recall);
  EXPECT_GE(with_oos.curve[10].in_scope_accuracy, with_oos.curve[90].in_scope_accuracy);

  std::string svg = EvaluationSvg(with_oos, "<script>alert(1)</script>");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("chosen t="), std::string::npos);
}

}  // namespace
}  // namespace candor::nlu

namespace candor::nlu {
namespace {

std::vector<Example> ReadDistress(const std::string& language) {
  std::vector<Example> examples;
  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/data/nlu/distress/" + language + ".jsonl");
  std::string line;
  while (std::getline(in, line)) {
    auto json = nlohmann::json::parse(line);
    examples.push_back({json["text"], json["label"]});
  }
  return examples;
}

// Trained on four fifths of the German and English examples, scored on the rest.
TEST(Distress, HeldOutMessagesAreScoredByHowUpsetAndUrgentTheyAre) {
  std::vector<Example> train;
  std::vector<Example> test;
  for (const char* language : {"de", "en"}) {
    auto examples = ReadDistress(language);
    ASSERT_GE(examples.size(), 400u) << language;
    for (size_t i = 0; i < examples.size(); ++i) (i % 5 == 0 ? test : train).push_back(examples[i]);
  }
  auto model = IntentModel::Train(train, {}, TrainOptions{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto& labels = model->Info().labels;
  const size_t distress = std::find(labels.begin(), labels.end(), "distress") - labels.begin();
  ASSERT_LT(distress, labels.size());

  size_t right = 0;
  double distressed_sum = 0, calm_sum = 0;
  size_t distressed = 0, calm = 0;
  for (const auto& example : test) {
    const float score = model->Scores(example.text)[distress];
    const bool is_distress = example.label == "distress";
    right += (score >= 0.5f) == is_distress;
    (is_distress ? distressed_sum : calm_sum) += score;
    ++(is_distress ? distressed : calm);
  }
  const double accuracy = static_cast<double>(right) / test.size();
  std::cout << "distress, held out: accuracy " << accuracy << ", mean score distressed "
            << distressed_sum / distressed << ", calm " << calm_sum / calm << "\n";
  EXPECT_GE(accuracy, 0.85);
  EXPECT_GT(distressed_sum / distressed, 0.7);
  EXPECT_LT(calm_sum / calm, 0.3);
}

}  // namespace
}  // namespace candor::nlu

#include <fasttext/fasttext.h>

#include <cmath>

#include "nlu/internal/fasttext_model.h"

namespace candor::nlu {
namespace {

// The prediction path sums each word's rows ahead of time; it must give what
// fastText itself gives, unknown words and bigrams included.
TEST(FastTextModel, MatchesFastTextsOwnPredictions) {
  Split split = SplitBank();
  split.train.resize(800);
  TrainOptions options;
  options.epochs = 10;
  auto model = IntentModel::Train(split.train, {}, options);
  ASSERT_TRUE(model.ok());
  TempDir dir;
  ASSERT_TRUE(model->Save(dir.Path("m")).ok());
  const auto& labels = model->Info().labels;
  auto ours = internal::FastTextModel::Load(dir.Path("m/fasttext.bin"), labels);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  fasttext::FastText theirs;
  theirs.loadModel(dir.Path("m/fasttext.bin"));

  std::vector<std::string> texts = {"where is my card ?",
                                    "karte verloren",
                                    "zzqx unheardof wordz",
                                    "[iban] überweisung 000 , 00 €",
                                    "a",
                                    "?"};
  for (size_t i = 0; i < split.test.size(); i += 11) {
    texts.push_back(internal::NormalizeForModel(split.test[i].text));
  }
  std::vector<float> logits(labels.size());
  for (const auto& text : texts) {
    ours->LogScores(text, logits.data());
    float best = *std::max_element(logits.begin(), logits.end());
    float sum = 0;
    for (float l : logits) sum += std::exp(l - best);
    std::istringstream line(text + "\n");
    std::vector<std::pair<fasttext::real, std::string>> predictions;
    theirs.predictLine(line, predictions, -1, 0.0);
    ASSERT_EQ(predictions.size(), labels.size()) << text;
    for (const auto& [probability, label] : predictions) {
      const size_t index =
          std::find(labels.begin(), labels.end(), label.substr(9)) - labels.begin();
      ASSERT_LT(index, labels.size());
      EXPECT_NEAR(std::exp(logits[index] - best) / sum, probability, 1e-4) << text << " " << label;
    }
  }
}

}  // namespace
}  // namespace candor::nlu

#include "nlu/internal/vector_math.h"

namespace candor::nlu {
namespace {

TEST(WeightedSoftmax, MatchesTheExactSoftmax) {
  std::vector<float> x, y;
  for (int i = 0; i < 157; ++i) {
    x.push_back(std::sin(i * 0.7f) * 12.0f);
    y.push_back(std::cos(i * 1.3f) * 30.0f - 5.0f);
  }
  std::vector<float> fast(x.size());
  internal::WeightedSoftmax(x.data(), y.data(), 0.8f, 0.3f, fast.data(), fast.size());
  double best = -1e300, sum = 0;
  for (size_t i = 0; i < x.size(); ++i) best = std::max(best, 0.8 * x[i] + 0.3 * y[i]);
  for (size_t i = 0; i < x.size(); ++i) sum += std::exp(0.8 * x[i] + 0.3 * y[i] - best);
  for (size_t i = 0; i < x.size(); ++i) {
    const double exact = std::exp(0.8 * x[i] + 0.3 * y[i] - best) / sum;
    EXPECT_NEAR(fast[i], exact, 1e-6 + 1e-5 * exact) << i;
  }
}

}  // namespace
}  // namespace candor::nlu
