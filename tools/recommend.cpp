// recommend: the interactive session. Four favourites, then one recommendation at a time that
// learns from each answer; --json speaks the same session as JSON lines for programs.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>

#include "movierec/frontends/repl.hpp"
#include "movierec/frontends/terminal.hpp"
#include "movierec/session/known_users.hpp"
#include "movierec/session/model.hpp"
#include "movierec/session/policy.hpp"
#include "movierec/session/title_search.hpp"
#include "movierec/store/profile_store.hpp"
#include "program.hpp"
#include "session_flags.hpp"

int main(int argc, char** argv) {
  using namespace movierec;
  CLI::App app{
      "Recommends movies from four favourites, learning from each answer (y/n/s/w/u/i/m/l/q/h).\n"
      "--json: one JSON object per line on stdout (the protocol is in "
      "include/movierec/frontends/repl.hpp)."};
  app.name("recommend");
  SessionFlags session_flags;
  std::optional<std::uint64_t> seed;
  bool json = false;
  std::string profile;
  std::string profiles = "data/profiles.sqlite";
  StoreOptions store_options;
  std::optional<std::int32_t> user;
  session_flags.add_folders(app);
  app.add_option("--seed", seed, "seed of the exploration; default: from the clock, printed")
      ->check(whole_number_check(0, std::numeric_limits<std::uint64_t>::max()))
      ->type_name("INT");
  CLI::Option* user_option =
      app.add_option("--user", user,
                     "start from this trained user's vector, everything they rated in train "
                     "seen, no favourites asked")
          ->type_name("INT");
  app.add_flag("--json", json, "JSON lines on stdout for programs, instead of text for people");
  app.add_option("--profile", profile,
                 "keep favourites and answers in this profile and resume it (1-64 of A-Z a-z "
                 "0-9 . _ -); without it nothing is written")
      ->excludes(user_option)
      ->type_name("NAME");
  app.add_option("--profiles", profiles, "the profile store: a SQLite file or postgresql:// URL")
      ->capture_default_str()
      ->type_name("PATH|URL");
  add_checked_flags(app, store_options.fields(), "Profile store");
  session_flags.add_policy_flags(app);

  return run_program(app, argc, argv, [&] {
    const Policy policy = session_flags.policy();
    const Model model = session_flags.model();
    // The index builds while the first prompt waits for a person to type.
    auto titles = build_title_index_async(model.catalog());
    const std::uint64_t session_seed = seed.value_or(
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
    LineHandler handler(model, titles, policy, session_seed);
    std::unique_ptr<ProfileStore> store;
    if (!profile.empty()) {
      check_profile_name(profile);
      store = open_profile_store(profiles, store_options);
      handler.keep_profile(*store, profile);
    }
    if (user) {
      const KnownUsers known = session_flags.known_users(model);
      std::optional<KnownStart> start = known.start(model, *user);
      if (!start) throw Error(unknown_user_message(model, *user));
      std::cerr << "recommend: user " << *user << ", from their trained vector; the "
                << start->seen.size() << " movies they rated are never recommended\n";
      handler.start_known(std::move(*start));
    }
    install_interrupt_handler();  // Ctrl-C ends the session with its summary, as Ctrl-D does
    if (json) {
      std::cerr << "recommend: " << catalog_sentence(model, policy.min_evidence) << '\n';
      std::cerr << "recommend: seed " << session_seed << " (replay with --seed " << session_seed
                << ")\n";
      run_json_session(handler, std::cin, std::cout);
    } else {
      run_terminal_session(handler, session_seed);
    }
    return 0;
  });
}
