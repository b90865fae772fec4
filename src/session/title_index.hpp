// Internal to title search (not a public header): the index that TitleIndex copies share, and
// how it is built. title_search.cpp queries it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "movierec/session/title_search.hpp"
#include "movierec/session/title_words.hpp"

namespace movierec {

// Each movie's names as word sequences over one vocabulary, and for each word the names that
// hold it (postings, as compressed rows: word w owns postings[posting_offsets[w], [w + 1])).
struct TitleIndex::Data {
  struct Movie {
    std::int32_t id = 0;
    std::string display;  // "The Matrix (1999)"
    int year = 0;         // 0 when unknown
    double popularity = 0;
  };
  // One way to call a movie: its title, an alternative title, or all of them together.
  struct Name {
    std::uint32_t movie = 0;
    std::uint32_t begin = 0, end = 0;  // its words: name_words[begin, end)
    std::uint32_t core = 0;            // how many leading words are a droppable article (0 or 1)
  };

  std::vector<Movie> movies;
  std::vector<Name> names;                // a movie's names are consecutive, movies in order
  std::vector<std::uint32_t> name_words;  // vocabulary ids
  Vocabulary vocabulary;
  std::vector<std::uint32_t> posting_offsets{0}, postings;

  std::uint32_t posting_count(std::uint32_t word) const {
    return posting_offsets[word + 1] - posting_offsets[word];
  }
  // The names holding, for every group, one of the group's words; in increasing order, so
  // that a movie's names come together.
  std::vector<std::uint32_t> names_with_all(
      const std::vector<const std::vector<WordMatch>*>& groups) const;
};

// Builds the index of `entries`, skipping empty titles. Throws Error on a repeated id.
std::shared_ptr<const TitleIndex::Data> build_title_index(const std::vector<TitleEntry>& entries);

}  // namespace movierec
