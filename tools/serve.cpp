// serve: the recommender over HTTP for many people at once: a web page at / and a JSON API under
// /api/ (include/movierec/frontends/http_api.hpp), driving the same Session as recommend.
#include <iostream>
#include <memory>

#include "movierec/frontends/http_api.hpp"
#include "movierec/frontends/http_server.hpp"
#include "movierec/frontends/serve_options.hpp"
#include "movierec/frontends/session_events.hpp"
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
      "Serves the recommender over HTTP: a web page at / and a JSON API under /api/ (the routes\n"
      "are in the README and include/movierec/frontends/http_api.hpp). Prints one line,\n"
      "\"listening on http://HOST:PORT/\", and serves until SIGINT or SIGTERM."};
  app.name("serve");
  SessionFlags session_flags;
  session_flags.add_folders(app);
  std::string profiles = "data/profiles.sqlite";
  app.add_option("--profiles", profiles,
                 "the profile store of sessions that name a profile: a SQLite file or "
                 "postgresql:// URL (opened, or created, at start)")
      ->capture_default_str()
      ->type_name("PATH|URL");
  ServeOptions options;
  add_checked_flags(app, options.fields(), "Server");
  StoreOptions store_options;
  add_checked_flags(app, store_options.fields(), "Profile store");
  session_flags.add_policy_flags(app);

  return run_program(app, argc, argv, [&] {
    options.validate("command line");
    const Policy policy = session_flags.policy();
    const Model model = session_flags.model();
    const TitleIndex titles(title_entries(model.catalog()));
    const KnownUsers known = session_flags.known_users(model);
    HttpApi api(model, titles, policy, options, HttpApi::Clock::now, &known);
    const std::unique_ptr<ProfileStore> store = open_profile_store(profiles, store_options);
    api.use_profiles(*store);
    if (!options.quiet)
      std::cerr << "serve: " << catalog_sentence(model, policy.min_evidence) << '\n';
    serve_http(api, std::cout);
    return 0;
  });
}
