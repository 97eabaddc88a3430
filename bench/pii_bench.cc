// PII scanner throughput on ~100 MB of generated chat-like text with about
// 1 % personal data, single core. Run through bench/pii/run, which also times the
// npm peer on a slice of the same text and scores both on data/pii/eval.jsonl.
//
//   pii_bench [--mb N] [--rounds N] [--slice FILE] [--slice-mb N] [--json FILE]
//   (--rounds: scan the messages N times and report the fastest round, which
//   is less disturbed by other work on the machine; also handy under perf;
//   --tag-names: with the name tagger on, ScannerOptions::tag_names)
//   pii_bench --spans EVAL.jsonl     (candor's findings per line, for scoring)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "privacy/privacy.h"

namespace {

using candor::privacy::Finding;
using candor::privacy::PiiScanner;
using candor::privacy::PiiTypeName;

// ---- generated text -------------------------------------------------------

class TextGenerator {
 public:
  explicit TextGenerator(uint64_t seed) : rng_(seed) {}

  // One chat message; `pii_bytes` grows by the bytes of personal data in it.
  std::string Message(size_t& pii_bytes) {
    static const char* kOpen[] = {"Hallo, ", "Guten Tag, ", "Hi, ", "Hello, ", "", "", "Moin, "};
    static const char* kBody[] = {
        "meine Bestellung {order} ist immer noch nicht angekommen.",
        "ich wurde am {date} zweimal mit {amount} belastet, bitte prüfen.",
        "die Sendung {track} hängt seit Tagen im Verteilzentrum.",
        "the app (version {version}) crashes when I open my account.",
        "can you tell me why my invoice RE-{num} shows {amount}?",
        "ich möchte meinen Vertrag zum {date} kündigen.",
        "I have been waiting since {date} for a refund of {amount}.",
        "können Sie mir sagen, wann der Techniker um {time} kommt?",
        "mein Zählerstand ist {num} kWh, Zählernummer {order}.",
        "the tracking number {track} says delivered but nothing arrived.",
        "wie ändere ich meine Lieferadresse für Auftrag {order}?",
        "das Passwort-Reset funktioniert nicht, die Mail kommt nie an.",
        "bitte rufen Sie mich zurück, ich bin ab {time} erreichbar.",
        "I would like to talk to a person about my contract, please.",
        "der Gutschein SOMMER{small} wurde nicht angerechnet ({amount}).",
        "Order {order} was cancelled without any reason given.",
        // Most messages carry no number at all.
        "ich warte jetzt schon seit über einer Woche auf eine Antwort von Ihnen.",
        "können Sie mir bitte erklären, warum die Lieferung so lange dauert?",
        "I would really appreciate it if someone could look into this today.",
        "das ist jetzt das dritte Mal, dass ich wegen dieser Sache schreibe.",
        "mein Internet fällt abends ständig aus, besonders beim Streamen.",
        "the package was damaged and the contents were completely soaked.",
        "ich möchte gerne mit einem Menschen sprechen, nicht mit einem Bot.",
        "is there any way to change the delivery address after ordering?",
        "vielen Dank für die schnelle Hilfe, jetzt funktioniert alles wieder.",
        "why was my account suddenly locked without any notice?",
        "die Rechnung ist viel höher als sonst, das kann nicht stimmen.",
        "could you please send me a copy of my contract by email?",
        "ich bin mit dem Service sehr unzufrieden und überlege zu kündigen.",
        "the technician never showed up and nobody called to cancel.",
        "gibt es eine Möglichkeit, den Tarif vorzeitig zu wechseln?",
        "thanks, but that did not solve the problem at all.",
    };
    static const char* kClose[] = {" Danke!", " Viele Grüße", " Thanks.", "", "", " LG"};
    // Names customers sign with (personal data, counted as such).
    static const char* kSigned[] = {" Viele Grüße\nJürgen Weiß", " Best regards,\nEmily Johnson",
                                    " LG Anna"};
    std::string m = kOpen[Pick(std::size(kOpen))];
    m += Fill(kBody[Pick(std::size(kBody))]);
    if (Chance(0.35)) m += " " + Fill(kBody[Pick(std::size(kBody))]);
    if (Chance(kPiiShare)) {
      std::string value = Pii();
      pii_bytes += value.size();
      static const char* kLead[] = {" Meine Daten: ", " You can use ", " Bitte an ", " Hier: "};
      m += kLead[Pick(std::size(kLead))];
      m += value;
      m += ".";
    }
    if (Chance(0.01)) {
      std::string_view signed_by = kSigned[Pick(std::size(kSigned))];
      m += signed_by;
      size_t name_at = signed_by.find('\n');
      if (name_at == std::string_view::npos) name_at = signed_by.rfind(' ');
      pii_bytes += signed_by.size() - name_at - 1;
    } else {
      m += kClose[Pick(std::size(kClose))];
    }
    return m;
  }

 private:
  // Chance that a message carries one value; tuned so that about 1 % of all
  // bytes are personal data.
  static constexpr double kPiiShare = 0.06;

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string Digits(int n) {
    std::string s;
    for (int k = 0; k < n; ++k) s.push_back(static_cast<char>('0' + Pick(10)));
    return s;
  }
  std::string Fill(std::string_view pattern) {
    std::string out;
    for (size_t k = 0; k < pattern.size();) {
      if (pattern[k] != '{') {
        out.push_back(pattern[k++]);
        continue;
      }
      size_t close = pattern.find('}', k);
      std::string_view slot = pattern.substr(k + 1, close - k - 1);
      k = close + 1;
      if (slot == "order") out += Digits(3) + "-" + Digits(7) + "-" + Digits(7);
      if (slot == "date")
        out += std::to_string(1 + Pick(28)) + "." + std::to_string(1 + Pick(12)) + ".2024";
      if (slot == "amount") out += std::to_string(Pick(2000)) + "," + Digits(2) + " EUR";
      if (slot == "track") out += "00" + Digits(18);
      if (slot == "version")
        out += std::to_string(Pick(20)) + "." + std::to_string(Pick(30)) + "." +
               std::to_string(Pick(99));
      if (slot == "num") out += Digits(6);
      if (slot == "time") out += std::to_string(8 + Pick(10)) + ":" + (Pick(2) ? "30" : "00");
      if (slot == "small") out += std::to_string(10 + Pick(40));
    }
    return out;
  }
  std::string Pii() {
    switch (Pick(8)) {
      case 0: {  // a valid German IBAN
        std::string bban = Digits(18);
        std::string rearranged = bban + "131400";  // "DE" -> 13 14, check digits 00
        unsigned r = 0;
        for (char c : rearranged) r = (r * 10 + static_cast<unsigned>(c - '0')) % 97;
        unsigned check = 98 - r;
        std::string s = std::string("DE") + static_cast<char>('0' + check / 10) +
                        static_cast<char>('0' + check % 10) + bban;
        return s.substr(0, 4) + " " + s.substr(4, 4) + " " + s.substr(8, 4) + " " +
               s.substr(12, 4) + " " + s.substr(16, 4) + " " + s.substr(20);
      }
      case 1:
        return "0171 " + std::to_string(2 + Pick(8)) + Digits(6);
      case 2:
        return "kunde" + Digits(4) + "@example.de";
      case 3: {  // a Luhn-valid Visa number
        std::string body = "4" + Digits(14);
        int sum = 0;
        for (size_t k = 0; k < body.size(); ++k) {
          int d = body[body.size() - 1 - k] - '0';
          if (k % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
          sum += d;
        }
        return body + static_cast<char>('0' + (10 - sum % 10) % 10);
      }
      case 4:
        return "+49 30 " + std::to_string(2 + Pick(8)) + Digits(7);
      case 5:
        return "Mein Name ist Anna Schmidt";
      case 6:
        return "Lindenstraße " + std::to_string(1 + Pick(120)) + ", 10115 Berlin";
      default:
        return "mein Passwort ist Sommer" + Digits(4) + "!";
    }
  }

  std::mt19937_64 rng_;
};

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

int PrintSpans(const PiiScanner& scanner, const char* path) {
  auto texts = candor::privacy::LoadLabeledJsonl(path);
  if (!texts.ok()) {
    std::fprintf(stderr, "pii_bench: %s\n", texts.status().message().c_str());
    return 1;
  }
  auto scratch = scanner.NewScratch();
  for (const auto& t : *texts) {
    auto findings = scanner.Scan(t.text, *scratch);
    std::string line = "{\"entities\": [";
    for (size_t k = 0; k < findings->size(); ++k) {
      const Finding& f = (*findings)[k];
      line += (k ? ", " : "") + std::string("{\"type\": \"") + std::string(PiiTypeName(f.type)) +
              "\", \"start\": " + std::to_string(f.start) + ", \"end\": " + std::to_string(f.end) +
              "}";
    }
    std::printf("%s]}\n", line.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t megabytes = 100;
  size_t slice_megabytes = 2;
  size_t rounds = 1;
  candor::privacy::ScannerOptions options;
  const char* slice_path = nullptr;
  const char* json_path = nullptr;
  const char* spans_path = nullptr;
  for (int k = 1; k < argc; ++k) {
    std::string_view arg = argv[k];
    bool has_value = k + 1 < argc;
    if (arg == "--mb" && has_value)
      megabytes = std::strtoul(argv[++k], nullptr, 10);
    else if (arg == "--tag-names")
      options.tag_names = true;
    else if (arg == "--rounds" && has_value)
      rounds = std::max<size_t>(1, std::strtoul(argv[++k], nullptr, 10));
    else if (arg == "--slice" && has_value)
      slice_path = argv[++k];
    else if (arg == "--slice-mb" && has_value)
      slice_megabytes = std::strtoul(argv[++k], nullptr, 10);
    else if (arg == "--json" && has_value)
      json_path = argv[++k];
    else if (arg == "--spans" && has_value)
      spans_path = argv[++k];
    else {
      std::fprintf(stderr,
                   "usage: pii_bench [--mb N] [--rounds N] [--tag-names] [--slice FILE] "
                   "[--slice-mb N] [--json FILE] | "
                   "--spans EVAL.jsonl\n");
      return 2;
    }
  }
  auto scanner = PiiScanner::Create(options);
  if (!scanner.ok()) {
    std::fprintf(stderr, "pii_bench: %s\n", scanner.status().message().c_str());
    return 1;
  }
  if (spans_path) return PrintSpans(*scanner, spans_path);

  // Messages separated by newlines, as a chat log.
  TextGenerator gen(42);
  std::string text;
  std::vector<std::pair<size_t, size_t>> messages;
  text.reserve(megabytes * 1000 * 1000 + 4096);
  size_t pii_bytes = 0;
  while (text.size() < megabytes * 1000 * 1000) {
    std::string m = gen.Message(pii_bytes);
    messages.emplace_back(text.size(), m.size());
    text += m;
    text.push_back('\n');
  }
  std::printf("text: %.1f MB, %zu messages, %.2f %% personal data by bytes\n", text.size() / 1e6,
              messages.size(),
              100.0 * static_cast<double>(pii_bytes) / static_cast<double>(text.size()));

  auto scratch = scanner->NewScratch();
  // Warm up caches and libphonenumber's lazily built regexps.
  (void)scanner->Scan(std::string_view(text).substr(0, 1 << 20), *scratch);

  // Per message, as the protect stage calls it.
  size_t found = 0;
  double per_message_s = 0;
  for (size_t round = 0; round < rounds; ++round) {
    found = 0;
    auto start = std::chrono::steady_clock::now();
    for (const auto& [offset, size] : messages) {
      auto findings = scanner->Scan(std::string_view(text).substr(offset, size), *scratch);
      found += findings->size();
    }
    double s = Seconds(std::chrono::steady_clock::now() - start);
    if (round == 0 || s < per_message_s) per_message_s = s;
  }
  // The whole log in one call.
  auto t0 = std::chrono::steady_clock::now();
  auto whole = scanner->Scan(text, *scratch);
  double whole_s = Seconds(std::chrono::steady_clock::now() - t0);

  double mb = static_cast<double>(text.size()) / 1e6;
  std::printf("candor per message: %.3f s, %.0f MB/s, %.0f messages/s, %zu findings\n",
              per_message_s, mb / per_message_s,
              static_cast<double>(messages.size()) / per_message_s, found);
  std::printf("candor whole text:  %.3f s, %.0f MB/s, %zu findings\n", whole_s, mb / whole_s,
              whole->size());

  if (slice_path) {
    size_t cut = std::min(text.size(), slice_megabytes * 1000 * 1000);
    cut = text.rfind('\n', cut) + 1;
    std::ofstream(slice_path, std::ios::binary)
        .write(text.data(), static_cast<std::streamsize>(cut));
  }
  if (json_path) {
    std::ofstream out(json_path);
    out << "{\"bytes\": " << text.size() << ", \"messages\": " << messages.size()
        << ", \"per_message_seconds\": " << per_message_s << ", \"whole_seconds\": " << whole_s
        << ", \"per_message_mb_s\": " << mb / per_message_s << ", \"whole_mb_s\": " << mb / whole_s
        << ", \"pii_percent\": "
        << 100.0 * static_cast<double>(pii_bytes) / static_cast<double>(text.size()) << "}\n";
  }
  return 0;
}
