// Function words that say nothing about what a question is about ("how do I",
// "wie kann ich meine"). Left out of queries so BM25 ranks on the content words.
#pragma once

#include <array>
#include <string_view>

namespace candor::knowledge::internal {

inline constexpr std::array<std::string_view, 128> kEnglishStopwords = {
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
    "doing", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "here",
    "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "me",
    "might", "more", "most", "much", "must", "my", "myself", "need", "no", "not", "now", "of",
    "on", "once", "one", "only", "or", "other", "our", "out", "over", "please", "same", "she",
    "should", "so", "some", "still", "such", "than", "thank", "thanks", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us", "very",
    "want", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "yours", "hi", "hello", "hey", "dear", "ok", "okay",
    "also", "there's", "what's", "can't", "don't", "i've"};

inline constexpr std::array<std::string_view, 128> kGermanStopwords = {
    "aber", "alle", "allem", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "bin",
    "bis", "bitte", "bist", "da", "damit", "dann", "das", "dass", "dein", "deine", "dem", "den",
    "der", "des", "dich", "die", "dir", "doch", "du", "durch", "ein", "eine", "einem", "einen",
    "einer", "eines", "er", "es", "etwas", "euch", "euer", "eure", "für", "gibt", "hab", "habe",
    "haben", "hallo", "hat", "hier", "ich", "ihr", "ihre", "ihrem", "ihren", "ihrer", "im",
    "in", "ist", "ja", "jetzt", "kann", "kannst", "können", "könnt", "man", "mein", "meine",
    "meinem", "meinen", "meiner", "mich", "mir", "mit", "muss", "nach", "nicht", "noch", "nun",
    "nur", "ob", "oder", "schon", "sehr", "sein", "seine", "sich", "sie", "sind", "so", "soll",
    "über", "um", "und", "uns", "unser", "unsere", "vom", "von", "vor", "war", "was", "weil",
    "wenn", "wer", "werde", "werden", "wie", "wieder", "will", "wir", "wird", "wo", "wurde",
    "zu", "zum", "zur", "danke", "guten", "tag", "liebe", "lieber", "moin", "eigentlich",
    "gerne", "würde"};

}  // namespace candor::knowledge::internal
