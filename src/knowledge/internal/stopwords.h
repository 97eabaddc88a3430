// Function words that say nothing about what a question is about ("how do I",
// "wie kann ich meine"). Left out of queries so BM25 ranks on the content words.
#pragma once

#include <array>
#include <string_view>

namespace candor::knowledge::internal {

inline constexpr auto kEnglishStopwords = std::to_array<std::string_view>(
    {"a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
     "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
     "doing", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "here",
     "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "me",
     "might", "more", "most", "much", "must", "my", "myself", "need", "no", "not", "now", "of",
     "on", "once", "one", "only", "or", "other", "our", "out", "over", "please", "same", "she",
     "should", "so", "some", "still", "such", "than", "thank", "thanks", "that", "the", "their",
     "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us", "very",
     "want", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
     "will", "with", "would", "you", "your", "yours", "hi", "hello", "hey", "dear", "ok", "okay",
     "also", "there's", "what's", "can't", "don't", "i've",
     // Contractions, fillers and words of time that customers add in a chat.
     "i'd", "i'll", "you're", "they're", "we're", "it'll", "isn't", "aren't", "wasn't", "weren't",
     "hasn't", "hasnt", "haven't", "hadn't", "doesn't", "didn't", "won't", "wouldn't", "couldn't",
     "shouldn't", "let", "lets", "even", "though", "yet", "already", "ever", "really", "ago",
     "today", "yesterday", "tomorrow", "got", "gets", "getting"});

inline constexpr auto kGermanStopwords = std::to_array<std::string_view>(
    {"aber", "alle", "allem", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis",
     "bitte", "bist", "da", "damit", "dann", "das", "dass", "dein", "deine", "dem", "den", "der",
     "des", "dich", "die", "dir", "doch", "du", "durch", "ein", "eine", "einem", "einen", "einer",
     "eines", "er", "es", "etwas", "euch", "euer", "eure", "für", "gibt", "hab", "habe", "haben",
     "hallo", "hat", "hier", "ich", "ihr", "ihre", "ihrem", "ihren", "ihrer", "im", "in", "ist",
     "ja", "jetzt", "kann", "kannst", "können", "könnt", "man", "mein", "meine", "meinem", "meinen",
     "meiner", "mich", "mir", "mit", "muss", "nach", "nicht", "noch", "nun", "nur", "ob", "oder",
     "schon", "sehr", "sein", "seine", "sich", "sie", "sind", "so", "soll", "über", "um", "und",
     "uns", "unser", "unsere", "vom", "von", "vor", "war", "was", "weil", "wenn", "wer", "werde",
     "werden", "wie", "wieder", "will", "wir", "wird", "wo", "wurde", "zu", "zum", "zur", "danke",
     "guten", "tag", "liebe", "lieber", "moin", "eigentlich", "gerne", "würde",
     // Chat German: forms of "bekommen", "machen", "haben", question words,
     // fillers.
     "bekomme", "bekommen", "bekommst", "bekommt", "kriege", "kriegt", "mache", "machen", "machst",
     "macht", "gemacht", "habt", "hast", "hatte", "brauche", "brauchen", "braucht", "bräuchte",
     "viel", "viele", "vielen", "wieviel", "wieviele", "welche", "welcher", "welchen", "welches",
     "wann", "warum", "wieso", "weshalb", "wohin", "woher", "woran", "worauf", "womit", "dabei",
     "dafür", "darauf", "davon", "dazu", "drauf", "diese", "dieser", "diesen", "dieses", "jemand",
     "jemanden", "mal", "denn", "eben", "gar", "ganz", "genau", "grad", "gerade", "wirklich",
     "immer", "mehr", "kein", "keine", "keinen", "keiner", "ihm", "ihn", "ihnen", "gibts", "geht",
     "bietet", "nochmal", "heute", "gestern", "morgen"});

}  // namespace candor::knowledge::internal
