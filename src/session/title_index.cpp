#include "title_index.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <unordered_map>
#include <utility>

#include "movierec/data/catalog.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/text.hpp"

namespace movierec {
namespace {

using Data = TitleIndex::Data;

class Builder {
 public:
  explicit Builder(Data& data) : data_(data) {}

  void add_movie(const TitleEntry& entry) {
    if (trim(entry.title).empty()) return;
    if (!ids_.emplace(entry.id, data_.movies.size()).second) {
      throw Error("title index: movie id " + std::to_string(entry.id) + " appears twice");
    }
    const TitleParts parts = parse_title(entry.title);
    const auto movie = static_cast<std::uint32_t>(data_.movies.size());
    data_.movies.push_back(
        {entry.id, parts.display(), entry.year != 0 ? entry.year : parts.year, entry.popularity});
    std::vector<std::string> whole = search_words(parts.name);
    const std::uint32_t core = add_name(movie, whole, !parts.articles[0].empty());
    for (std::size_t i = 0; i < parts.alternatives.size(); ++i) {
      std::string_view alternative = parts.alternatives[i];
      if (alternative.substr(0, kAlsoKnownAs.size()) == kAlsoKnownAs) {
        alternative.remove_prefix(kAlsoKnownAs.size());
        whole.insert(whole.end(), also_known_as_.begin(), also_known_as_.end());
      }
      const std::vector<std::string> words = search_words(alternative);
      add_name(movie, words, !parts.articles[i + 1].empty());
      whole.insert(whole.end(), words.begin(), words.end());
    }
    // All names together, as the display title shows them: someone copying it types this.
    if (!parts.alternatives.empty()) add_name(movie, whole, false, core);
  }

  void finish() {
    data_.vocabulary = Vocabulary(std::move(words_));
    build_postings();
  }

 private:
  // Adds one name (its words) and returns how many of its leading words are a droppable
  // article: one MovieLens moved behind the title, or a leading "the" or elided "l'" (at the start
  // of a title these are never anything else; "die" or "la" may be: "Die Hard", "La La Land"). A
  // given `core` overrides that.
  std::uint32_t add_name(std::uint32_t movie, const std::vector<std::string>& words,
                         bool article_moved, std::optional<std::uint32_t> core = std::nullopt) {
    if (words.empty()) return 0;
    if (!core) core = (article_moved || words[0] == "the" || words[0] == "l") ? 1 : 0;
    if (*core >= words.size()) core = 0;
    Data::Name name;
    name.movie = movie;
    name.begin = static_cast<std::uint32_t>(data_.name_words.size());
    for (const std::string& word : words) data_.name_words.push_back(word_id(word));
    name.end = static_cast<std::uint32_t>(data_.name_words.size());
    name.core = *core;
    data_.names.push_back(name);
    return *core;
  }

  std::uint32_t word_id(const std::string& word) {
    if (const auto it = ids_of_words_.find(word); it != ids_of_words_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(words_.size());
    ids_of_words_.emplace(word, id);
    words_.push_back(word);
    return id;
  }

  void build_postings() {
    const std::size_t word_count = data_.vocabulary.size();
    std::vector<std::uint32_t> last_name(word_count);
    // Calls visit(word, name) once for each distinct word of each name, names in order.
    const auto for_each_distinct = [&](auto&& visit) {
      std::fill(last_name.begin(), last_name.end(), UINT32_MAX);
      for (std::uint32_t n = 0; n < data_.names.size(); ++n) {
        for (std::uint32_t i = data_.names[n].begin; i < data_.names[n].end; ++i) {
          const std::uint32_t word = data_.name_words[i];
          if (last_name[word] != n) visit(word, n);
          last_name[word] = n;
        }
      }
    };
    std::vector<std::uint32_t> next(word_count + 1, 0);
    for_each_distinct([&](std::uint32_t word, std::uint32_t) { ++next[word + 1]; });
    for (std::size_t w = 1; w <= word_count; ++w) next[w] += next[w - 1];
    data_.posting_offsets = next;
    data_.postings.resize(next.back());
    for_each_distinct(
        [&](std::uint32_t word, std::uint32_t n) { data_.postings[next[word]++] = n; });
  }

  Data& data_;
  std::unordered_map<std::int32_t, std::size_t> ids_;
  std::unordered_map<std::string, std::uint32_t> ids_of_words_;
  std::vector<std::string> words_;  // the vocabulary, in order of first appearance
  const std::vector<std::string> also_known_as_ = search_words(kAlsoKnownAs);
};

}  // namespace

std::vector<std::uint32_t> TitleIndex::Data::names_with_all(
    const std::vector<const std::vector<WordMatch>*>& groups) const {
  // Intersect bitsets over names, rarest group first: linear in the postings touched.
  std::vector<std::pair<std::size_t, const std::vector<WordMatch>*>> by_size;
  for (const auto* group : groups) {
    std::size_t total = 0;
    for (const WordMatch& m : *group) total += posting_count(m.word);
    by_size.emplace_back(total, group);
  }
  std::sort(by_size.begin(), by_size.end());
  constexpr std::size_t kBits = 64;
  const std::size_t blocks = (names.size() + kBits - 1) / kBits;
  std::vector<std::uint64_t> all, one(blocks);
  for (const auto& [total, group] : by_size) {
    std::fill(one.begin(), one.end(), 0);
    for (const WordMatch& m : *group) {
      const std::uint32_t* posting = postings.data() + posting_offsets[m.word];
      for (std::uint32_t i = 0; i < posting_count(m.word); ++i) {
        one[posting[i] / kBits] |= std::uint64_t{1} << (posting[i] % kBits);
      }
    }
    if (all.empty()) {
      all = one;
    } else {
      for (std::size_t b = 0; b < blocks; ++b) all[b] &= one[b];
    }
  }
  std::vector<std::uint32_t> found;
  for (std::size_t block = 0; block < all.size(); ++block) {
    for (std::uint64_t bits = all[block]; bits != 0; bits &= bits - 1) {
      found.push_back(static_cast<std::uint32_t>(block * kBits + std::countr_zero(bits)));
    }
  }
  return found;
}

std::shared_ptr<const TitleIndex::Data> build_title_index(const std::vector<TitleEntry>& entries) {
  auto data = std::make_shared<Data>();
  data->movies.reserve(entries.size());
  Builder builder(*data);
  for (const TitleEntry& entry : entries) builder.add_movie(entry);
  builder.finish();
  return data;
}

}  // namespace movierec
