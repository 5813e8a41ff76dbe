/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc_bench.cc - native behavior throughput benchmarks for libboc.
 *
 * Each workload is run for every requested worker count, --warmup times
 * unmeasured and then --repeat times measured; the table reports the median
 * wall-clock time (std::chrono::steady_clock) and the min/max, as seconds
 * and as operations per second.  Every run also checks its own result (a
 * counter reached, a bank total conserved) and the program exits with
 * status 1 on the first wrong answer.  See bench/README.md.
 *
 * Workloads (N scales with --scale):
 *   chain        N behaviors on one cown, all scheduled from main
 *   spread       N behaviors round-robin over 1000 cowns, scheduled from main
 *   fanout       rounds of: root -> K children (each on its own cown, each
 *                with a result cown) -> one join over the K result cowns;
 *                each join starts the next round
 *   bank         N random transfers among 1000 accounts, two cowns each,
 *                scheduled from main
 *   bank_mutex   baseline: the same transfers on W std::threads, one
 *                std::mutex per account, locked in account-id order
 *   bank_global  baseline: the same transfers on W std::threads, one global
 *                std::mutex
 *   dining       P philosophers, each meal a behavior over two fork cowns
 *                that schedules the next meal
 */
#include <boc.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

/* ------------------------------------------------------------------ */
/* Failure reporting                                                   */
/* ------------------------------------------------------------------ */

[[noreturn]] __attribute__((format(printf, 1, 2))) void
die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "boc_bench: FAILED: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  std::fflush(stdout);
  std::exit(1);
}

/* Every libboc call is checked; a failure ends the run. */
#define CHECK(call)                                                        \
  do {                                                                     \
    int check_status_ = (call);                                            \
    if (check_status_ != BOC_OK)                                           \
      die("%s:%d: %s: %s", __FILE__, __LINE__, #call,                      \
          boc_strerror(check_status_));                                    \
  } while (0)

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/* splitmix64: a fast, seedable generator with the same sequence everywhere
 * (the std distributions are not portable across standard libraries). */
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  /* Uniform enough in [0, n) for n much smaller than 2^64. */
  uint64_t below(uint64_t n) { return next() % n; }
};

/* A cown whose payload is a heap uint64_t counter (or other POD T). */
template <typename T> boc_cown_t *make_cown(const T &init) {
  T *p = new T(init);
  boc_cown_t *c = nullptr;
  CHECK(boc_cown_create(
      p, [](void *q) { delete static_cast<T *>(q); }, &c));
  return c;
}

/* Payload of the index-th cown of the running behavior. */
template <typename T> T *payload_of(boc_behavior_t *b, size_t index) {
  boc_cown_t *c;
  void *p;
  CHECK(boc_behavior_cown(b, index, &c));
  CHECK(boc_cown_get(c, &p));
  return static_cast<T *>(p);
}

/* Read a cown's payload from main while the runtime is quiescent. */
template <typename T> T read_cown(boc_cown_t *c) {
  void *p;
  CHECK(boc_cown_acquire(c));
  CHECK(boc_cown_get(c, &p));
  T value = *static_cast<T *>(p);
  CHECK(boc_cown_relinquish(c));
  return value;
}

void release_all(std::vector<boc_cown_t *> &cowns) {
  for (boc_cown_t *c : cowns)
    CHECK(boc_cown_release(c));
  cowns.clear();
}

void quiesce() { CHECK(boc_runtime_quiesce(BOC_FOREVER)); }

/* Seconds main spent in its boc_when() loop in the last run of a workload
 * scheduled from main (-1 for the others); --verbose prints it next to the
 * run's total, to tell scheduling cost from execution. */
double g_schedule_s = -1;

/* --work N: every body (libboc behaviors and baseline critical sections
 * alike) also runs N rounds of a small integer loop the compiler cannot
 * remove, to see how throughput scales once a body does some work. */
uint64_t g_work = 0;

/* The 1-minute load average when the run started (-1 unknown). */
double g_load_before = -1;
std::atomic<uint64_t> g_work_sink{0};

inline void burn() {
  if (g_work == 0)
    return;
  uint64_t x = g_work;
  for (uint64_t i = 0; i < g_work; i++)
    x = x * 6364136223846793005u + 1442695040888963407u;
  if (x == 0) /* practically never: keeps the loop alive */
    g_work_sink.fetch_add(1, std::memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* Parameters shared by the workloads                                  */
/* ------------------------------------------------------------------ */

struct Params {
  double scale = 1.0;
  uint64_t seed = 42;
  uint64_t fanout = 100; /* K for the fanout workload */

  uint64_t scaled(double base, uint64_t minimum = 1) const {
    double v = base * scale;
    return v < (double)minimum ? minimum : (uint64_t)v;
  }
  uint64_t chain_n() const { return scaled(1e6); }
  uint64_t spread_cowns() const { return 1000; }
  uint64_t spread_n() const {
    uint64_t n = scaled(1e6, spread_cowns());
    return n - n % spread_cowns(); /* a whole number per cown */
  }
  uint64_t fanout_rounds() const { return scaled(5000); }
  uint64_t bank_accounts() const { return 1000; }
  uint64_t bank_transfers() const { return scaled(1e6); }
  uint64_t dining_philosophers() const { return 100; }
  uint64_t dining_meals() const { return scaled(2000); }
};

/* One measured repetition: elapsed seconds.  rep counts from 0 (warm-up
 * runs get negative numbers); it only goes into failure messages. */
using RunFn = std::function<double(const Params &, unsigned workers, int rep)>;

/* ------------------------------------------------------------------ */
/* chain: N behaviors on one cown, scheduled from main                  */
/* ------------------------------------------------------------------ */

void bump(boc_behavior_t *b, void *) {
  ++*payload_of<uint64_t>(b, 0);
  burn();
}

double run_chain(const Params &p, unsigned workers, int rep) {
  const uint64_t n = p.chain_n();
  boc_cown_t *c = make_cown<uint64_t>(0);

  auto start = Clock::now();
  for (uint64_t i = 0; i < n; i++)
    CHECK(boc_when(&c, 1, bump, nullptr, nullptr, nullptr));
  g_schedule_s = seconds_since(start);
  quiesce();
  double t = seconds_since(start);

  uint64_t got = read_cown<uint64_t>(c);
  if (got != n)
    die("chain: counter %" PRIu64 " != %" PRIu64 " (workers %u, rep %d)", got,
        n, workers, rep);
  CHECK(boc_cown_release(c));
  return t;
}

/* ------------------------------------------------------------------ */
/* spread: N behaviors round-robin over 1000 cowns, scheduled from main  */
/* ------------------------------------------------------------------ */

double run_spread(const Params &p, unsigned workers, int rep) {
  const uint64_t k = p.spread_cowns(), n = p.spread_n();
  std::vector<boc_cown_t *> cowns;
  for (uint64_t i = 0; i < k; i++)
    cowns.push_back(make_cown<uint64_t>(0));

  auto start = Clock::now();
  for (uint64_t i = 0; i < n; i++)
    CHECK(boc_when(&cowns[i % k], 1, bump, nullptr, nullptr, nullptr));
  g_schedule_s = seconds_since(start);
  quiesce();
  double t = seconds_since(start);

  for (uint64_t i = 0; i < k; i++) {
    uint64_t got = read_cown<uint64_t>(cowns[i]);
    if (got != n / k)
      die("spread: cown %" PRIu64 " counted %" PRIu64 " != %" PRIu64
          " (workers %u, rep %d)",
          i, got, n / k, workers, rep);
  }
  release_all(cowns);
  return t;
}

/* ------------------------------------------------------------------ */
/* fanout: root -> K children -> join, round after round               */
/* ------------------------------------------------------------------ */

struct FanoutAcc {
  uint64_t round = 0; /* rounds completed */
  uint64_t sum = 0;   /* sum of every child's value */
};

struct FanoutCtx {
  uint64_t k = 0, rounds = 0;
  boc_cown_t *acc = nullptr;          /* FanoutAcc */
  std::vector<boc_cown_t *> children; /* uint64_t hit counters */
};

/* The value child i of round r puts in its result cown. */
inline uint64_t child_value(uint64_t r, uint64_t i) { return r * 1000003u + i; }

void fanout_root(boc_behavior_t *b, void *arg);

/* Child i: holds its own cown; writes its value into its result cown (the
 * value is stored in the pointer itself, so no free function). */
void fanout_child(boc_behavior_t *b, void *arg) {
  uint64_t value = (uint64_t)(uintptr_t)arg;
  ++*payload_of<uint64_t>(b, 0);
  burn();
  boc_cown_t *res;
  CHECK(boc_behavior_result(b, &res));
  CHECK(boc_cown_set(res, (void *)(uintptr_t)value, nullptr));
}

/* The join: holds the K result cowns and the accumulator (last). */
void fanout_join(boc_behavior_t *b, void *arg) {
  auto *ctx = static_cast<FanoutCtx *>(arg);
  size_t count;
  CHECK(boc_behavior_cown_count(b, &count));
  if (count != ctx->k + 1)
    die("fanout: join got %zu cowns, expected %" PRIu64, count, ctx->k + 1);
  auto *acc = payload_of<FanoutAcc>(b, ctx->k);
  for (uint64_t i = 0; i < ctx->k; i++) {
    boc_cown_t *res;
    void *v;
    CHECK(boc_behavior_cown(b, i, &res));
    CHECK(boc_cown_get(res, &v));
    uint64_t value = (uint64_t)(uintptr_t)v;
    if (value != child_value(acc->round, i))
      die("fanout: round %" PRIu64 " child %" PRIu64 " gave %" PRIu64
          ", expected %" PRIu64,
          acc->round, i, value, child_value(acc->round, i));
    acc->sum += value;
  }
  acc->round++;
  if (acc->round < ctx->rounds)
    CHECK(boc_when(&ctx->acc, 1, fanout_root, ctx, nullptr, nullptr));
}

/* The root: holds the accumulator; schedules K children and the join. */
void fanout_root(boc_behavior_t *b, void *arg) {
  auto *ctx = static_cast<FanoutCtx *>(arg);
  uint64_t round = payload_of<FanoutAcc>(b, 0)->round;
  std::vector<boc_cown_t *> join_set(ctx->k + 1);
  for (uint64_t i = 0; i < ctx->k; i++)
    CHECK(boc_when(&ctx->children[i], 1, fanout_child,
                   (void *)(uintptr_t)child_value(round, i), nullptr,
                   &join_set[i]));
  join_set[ctx->k] = ctx->acc;
  CHECK(boc_when(join_set.data(), join_set.size(), fanout_join, ctx, nullptr,
                 nullptr));
  /* The join keeps its own references on the result cowns. */
  for (uint64_t i = 0; i < ctx->k; i++)
    CHECK(boc_cown_release(join_set[i]));
}

double run_fanout(const Params &p, unsigned workers, int rep) {
  FanoutCtx ctx;
  ctx.k = p.fanout;
  ctx.rounds = p.fanout_rounds();
  ctx.acc = make_cown<FanoutAcc>(FanoutAcc{});
  for (uint64_t i = 0; i < ctx.k; i++)
    ctx.children.push_back(make_cown<uint64_t>(0));

  auto start = Clock::now();
  CHECK(boc_when(&ctx.acc, 1, fanout_root, &ctx, nullptr, nullptr));
  quiesce();
  double t = seconds_since(start);

  FanoutAcc acc = read_cown<FanoutAcc>(ctx.acc);
  uint64_t want_sum = 0;
  for (uint64_t r = 0; r < ctx.rounds; r++)
    for (uint64_t i = 0; i < ctx.k; i++)
      want_sum += child_value(r, i);
  if (acc.round != ctx.rounds || acc.sum != want_sum)
    die("fanout: %" PRIu64 " rounds, sum %" PRIu64 "; expected %" PRIu64
        " rounds, sum %" PRIu64 " (workers %u, rep %d)",
        acc.round, acc.sum, ctx.rounds, want_sum, workers, rep);
  for (uint64_t i = 0; i < ctx.k; i++) {
    uint64_t hits = read_cown<uint64_t>(ctx.children[i]);
    if (hits != ctx.rounds)
      die("fanout: child cown %" PRIu64 " ran %" PRIu64 " times, expected %" PRIu64,
          i, hits, ctx.rounds);
  }
  release_all(ctx.children);
  CHECK(boc_cown_release(ctx.acc));
  return t;
}

/* Behaviors per fanout run: each round is a root, K children and a join. */
uint64_t fanout_ops(const Params &p) {
  return p.fanout_rounds() * (p.fanout + 2);
}

/* ------------------------------------------------------------------ */
/* bank: random transfers between two of 1000 accounts                  */
/* ------------------------------------------------------------------ */

constexpr int64_t INITIAL_BALANCE = 1000;
constexpr uint64_t MAX_AMOUNT = 100;

struct Account {
  int64_t balance = INITIAL_BALANCE;
  uint64_t sent = 0, refused = 0;
};

/* The transfer rule, shared by libboc and the baselines. */
inline void apply_transfer(Account &from, Account &to, int64_t amount) {
  burn();
  if (from.balance < amount) {
    from.refused++;
    return;
  }
  from.balance -= amount;
  to.balance += amount;
  from.sent++;
}

/* Draw one transfer: two different accounts and an amount in 1..MAX. */
inline void draw_transfer(Rng &rng, uint64_t accounts, uint64_t &from,
                          uint64_t &to, int64_t &amount) {
  from = rng.below(accounts);
  to = rng.below(accounts - 1);
  if (to >= from)
    to++;
  amount = (int64_t)rng.below(MAX_AMOUNT) + 1;
}

void check_bank(const char *name, const std::vector<Account> &accounts,
                uint64_t transfers, unsigned workers, int rep) {
  int64_t total = 0;
  uint64_t ran = 0;
  for (const Account &a : accounts) {
    total += a.balance;
    ran += a.sent + a.refused;
    if (a.balance < 0)
      die("%s: negative balance (workers %u, rep %d)", name, workers, rep);
  }
  int64_t want = (int64_t)accounts.size() * INITIAL_BALANCE;
  if (total != want)
    die("%s: total %" PRId64 " != initial %" PRId64 " (workers %u, rep %d)",
        name, total, want, workers, rep);
  if (ran != transfers)
    die("%s: %" PRIu64 " transfers ran, expected %" PRIu64
        " (workers %u, rep %d)",
        name, ran, transfers, workers, rep);
}

/* The amount travels in the argument pointer itself: no allocation per
 * behavior beyond what libboc does. */
void transfer_behavior(boc_behavior_t *b, void *arg) {
  apply_transfer(*payload_of<Account>(b, 0), *payload_of<Account>(b, 1),
                 (int64_t)(uintptr_t)arg);
}

double run_bank(const Params &p, unsigned workers, int rep) {
  const uint64_t na = p.bank_accounts(), n = p.bank_transfers();
  std::vector<boc_cown_t *> accounts;
  for (uint64_t i = 0; i < na; i++)
    accounts.push_back(make_cown<Account>(Account{}));
  Rng rng(p.seed);

  auto start = Clock::now();
  for (uint64_t i = 0; i < n; i++) {
    uint64_t from, to;
    int64_t amount;
    draw_transfer(rng, na, from, to, amount);
    boc_cown_t *pair[2] = {accounts[from], accounts[to]};
    CHECK(boc_when(pair, 2, transfer_behavior, (void *)(uintptr_t)amount,
                   nullptr, nullptr));
  }
  g_schedule_s = seconds_since(start);
  quiesce();
  double t = seconds_since(start);

  std::vector<Account> final_state;
  for (boc_cown_t *c : accounts)
    final_state.push_back(read_cown<Account>(c));
  check_bank("bank", final_state, n, workers, rep);
  release_all(accounts);
  return t;
}

/* Split n transfers over w threads: thread i does share(n, w, i). */
uint64_t share(uint64_t n, unsigned w, unsigned i) {
  return n / w + (i < n % w ? 1 : 0);
}

/* Baseline: one std::mutex per account, taken in account-id order. */
double run_bank_mutex(const Params &p, unsigned workers, int rep) {
  struct alignas(64) Locked {
    std::mutex m;
    Account a;
  };
  const uint64_t na = p.bank_accounts(), n = p.bank_transfers();
  std::unique_ptr<Locked[]> accounts(new Locked[na]);

  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; w++)
    threads.emplace_back([&, w] {
      Rng rng(p.seed + 0x1000u * (w + 1));
      for (uint64_t i = share(n, workers, w); i > 0; i--) {
        uint64_t from, to;
        int64_t amount;
        draw_transfer(rng, na, from, to, amount);
        Locked &lo = accounts[std::min(from, to)];
        Locked &hi = accounts[std::max(from, to)];
        std::lock_guard<std::mutex> g1(lo.m);
        std::lock_guard<std::mutex> g2(hi.m);
        apply_transfer(accounts[from].a, accounts[to].a, amount);
      }
    });
  for (std::thread &t : threads)
    t.join();
  double t = seconds_since(start);

  std::vector<Account> final_state;
  for (uint64_t i = 0; i < na; i++)
    final_state.push_back(accounts[i].a);
  check_bank("bank_mutex", final_state, n, workers, rep);
  return t;
}

/* Baseline: one global std::mutex around every transfer. */
double run_bank_global(const Params &p, unsigned workers, int rep) {
  struct alignas(64) Padded {
    Account a;
  };
  const uint64_t na = p.bank_accounts(), n = p.bank_transfers();
  std::unique_ptr<Padded[]> accounts(new Padded[na]);
  std::mutex global;

  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; w++)
    threads.emplace_back([&, w] {
      Rng rng(p.seed + 0x1000u * (w + 1));
      for (uint64_t i = share(n, workers, w); i > 0; i--) {
        uint64_t from, to;
        int64_t amount;
        draw_transfer(rng, na, from, to, amount);
        std::lock_guard<std::mutex> g(global);
        apply_transfer(accounts[from].a, accounts[to].a, amount);
      }
    });
  for (std::thread &t : threads)
    t.join();
  double t = seconds_since(start);

  std::vector<Account> final_state;
  for (uint64_t i = 0; i < na; i++)
    final_state.push_back(accounts[i].a);
  check_bank("bank_global", final_state, n, workers, rep);
  return t;
}

/* ------------------------------------------------------------------ */
/* dining: philosophers whose meals reschedule themselves              */
/* ------------------------------------------------------------------ */

struct Philosopher {
  uint64_t eaten = 0, hunger = 0;
  boc_cown_t *forks[2] = {nullptr, nullptr};
};

void eat(boc_behavior_t *b, void *arg) {
  auto *ph = static_cast<Philosopher *>(arg);
  ++*payload_of<uint64_t>(b, 0);
  ++*payload_of<uint64_t>(b, 1);
  burn();
  /* The philosopher record is only touched by its own meals, which run one
   * after another: each is scheduled by the one before. */
  if (++ph->eaten < ph->hunger)
    CHECK(boc_when(ph->forks, 2, eat, ph, nullptr, nullptr));
}

double run_dining(const Params &p, unsigned workers, int rep) {
  const uint64_t np = p.dining_philosophers(), meals = p.dining_meals();
  std::vector<boc_cown_t *> forks;
  for (uint64_t i = 0; i < np; i++)
    forks.push_back(make_cown<uint64_t>(0));
  std::vector<Philosopher> phils(np);
  for (uint64_t i = 0; i < np; i++) {
    phils[i].hunger = meals;
    phils[i].forks[0] = forks[i];
    phils[i].forks[1] = forks[(i + 1) % np];
  }

  /* Seat the even philosophers first, then the odd ones.  Behaviors that
   * share a cown run in scheduling order, so seating them 0, 1, 2, ... would
   * make each first meal wait for the left neighbour's: one long chain, and
   * the later meals inherit that order.  Even-then-odd lets half the table
   * eat at once. */
  auto start = Clock::now();
  for (uint64_t parity = 0; parity < 2; parity++)
    for (uint64_t i = parity; i < np; i += 2)
      CHECK(boc_when(phils[i].forks, 2, eat, &phils[i], nullptr, nullptr));
  quiesce();
  double t = seconds_since(start);

  for (uint64_t i = 0; i < np; i++) {
    if (phils[i].eaten != meals)
      die("dining: philosopher %" PRIu64 " ate %" PRIu64 " != %" PRIu64
          " (workers %u, rep %d)",
          i, phils[i].eaten, meals, workers, rep);
    uint64_t uses = read_cown<uint64_t>(forks[i]);
    if (uses != 2 * meals)
      die("dining: fork %" PRIu64 " used %" PRIu64 " != %" PRIu64
          " (workers %u, rep %d)",
          i, uses, 2 * meals, workers, rep);
  }
  release_all(forks);
  return t;
}

/* ------------------------------------------------------------------ */
/* The workload table                                                  */
/* ------------------------------------------------------------------ */

struct Workload {
  const char *name;
  const char *impl; /* "boc" or the baseline's locking scheme */
  bool uses_runtime;
  const char *unit; /* what one operation is */
  std::function<uint64_t(const Params &)> ops;
  RunFn run;
};

const std::vector<Workload> &all_workloads() {
  static const std::vector<Workload> table = {
      {"chain", "boc", true, "behaviors",
       [](const Params &p) { return p.chain_n(); }, run_chain},
      {"spread", "boc", true, "behaviors",
       [](const Params &p) { return p.spread_n(); }, run_spread},
      {"fanout", "boc", true, "behaviors", fanout_ops, run_fanout},
      {"bank", "boc", true, "transfers",
       [](const Params &p) { return p.bank_transfers(); }, run_bank},
      {"bank_mutex", "mutex/account", false, "transfers",
       [](const Params &p) { return p.bank_transfers(); }, run_bank_mutex},
      {"bank_global", "global mutex", false, "transfers",
       [](const Params &p) { return p.bank_transfers(); }, run_bank_global},
      {"dining", "boc", true, "meals",
       [](const Params &p) {
         return p.dining_philosophers() * p.dining_meals();
       },
       run_dining},
  };
  return table;
}

/* ------------------------------------------------------------------ */
/* Measurement and reporting                                           */
/* ------------------------------------------------------------------ */

struct SchedSummary {
  bool valid = false;
  uint64_t parked = 0, steals = 0, steal_attempts = 0, fairness = 0;
  std::vector<uint64_t> ran; /* behaviors popped per worker */
  double idle_cpu = -1;      /* CPU s per wall s while idle, -1 unknown */
};

struct Result {
  const Workload *w;
  unsigned workers;
  uint64_t ops;
  std::vector<double> times;
  double median = 0, min = 0, max = 0;
  SchedSummary sched;
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double process_cpu_seconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* How busy is an idle runtime?  CPU seconds per wall second while the
 * program sleeps and no behavior is in flight: near 0 when workers park. */
double idle_cpu_ratio() {
  std::this_thread::sleep_for(std::chrono::milliseconds(20)); /* let them park */
  double cpu0 = process_cpu_seconds();
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return (process_cpu_seconds() - cpu0) / seconds_since(start);
}

SchedSummary collect_stats() {
  SchedSummary s;
  size_t count = 0;
  CHECK(boc_runtime_stats(nullptr, 0, &count));
  std::vector<boc_worker_stats_t> st(count);
  CHECK(boc_runtime_stats(st.data(), st.size(), &count));
  st.resize(std::min(count, st.size()));
  s.valid = true;
  for (const boc_worker_stats_t &w : st) {
    s.parked += w.parked;
    s.steals += w.popped_via_steal;
    s.steal_attempts += w.steal_attempts;
    s.fairness += w.fairness_arm_fires;
    s.ran.push_back(w.popped_local + w.popped_via_steal);
  }
  return s;
}

Result measure(const Workload &w, const Params &p, unsigned workers,
               int warmup, int repeat, bool verbose) {
  Result r;
  r.w = &w;
  r.workers = workers;
  r.ops = w.ops(p);
  if (w.uses_runtime) {
    boc_runtime_config_t cfg;
    CHECK(boc_runtime_config_init(&cfg));
    cfg.workers = workers;
    CHECK(boc_runtime_start(&cfg));
    uint32_t got;
    CHECK(boc_runtime_worker_count(&got));
    if (got != workers)
      die("asked for %u workers, the runtime has %u", workers, (unsigned)got);
  }
  for (int i = -warmup; i < repeat; i++) {
    g_schedule_s = -1;
    double t = w.run(p, workers, i);
    if (verbose && g_schedule_s >= 0)
      std::fprintf(stderr, "  %s workers=%u %s %d: %.4f s (scheduling loop %.4f s)\n",
                   w.name, workers, i < 0 ? "warm-up" : "rep",
                   i < 0 ? i + warmup : i, t, g_schedule_s);
    else if (verbose)
      std::fprintf(stderr, "  %s workers=%u %s %d: %.4f s\n", w.name, workers,
                   i < 0 ? "warm-up" : "rep", i < 0 ? i + warmup : i, t);
    if (i >= 0)
      r.times.push_back(t);
  }
  if (w.uses_runtime) {
    double idle = idle_cpu_ratio();
    uint64_t in_flight = 1;
    CHECK(boc_runtime_in_flight(&in_flight));
    if (in_flight != 0)
      die("%s: %" PRIu64 " behaviors in flight after quiesce", w.name,
          in_flight);
    CHECK(boc_runtime_wait(BOC_SEC(60)));
    r.sched = collect_stats();
    r.sched.idle_cpu = idle;
  }
  r.median = median_of(r.times);
  r.min = *std::min_element(r.times.begin(), r.times.end());
  r.max = *std::max_element(r.times.begin(), r.times.end());
  return r;
}

/* "2.43M" style rate. */
std::string rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", per_second / 1e6);
  else if (per_second >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk", per_second / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", per_second);
  return buf;
}

void print_header(int repeat) {
  std::printf("%-12s %-14s %7s %9s %10s %9s %9s %11s %21s\n", "workload",
              "impl", "workers", "ops", "median_s", "min_s", "max_s",
              "median/s", "range/s (min..max)");
  (void)repeat;
}

void print_row(const Result &r) {
  std::string range = rate(r.ops / r.max) + " .. " + rate(r.ops / r.min);
  std::printf("%-12s %-14s %7u %9" PRIu64 " %10.4f %9.4f %9.4f %11s %21s\n",
              r.w->name, r.w->impl, r.workers, r.ops, r.median, r.min, r.max,
              rate(r.ops / r.median).c_str(), range.c_str());
  std::fflush(stdout);
}

std::string json_escape(const std::string &s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if ((unsigned char)c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += c;
    }
  }
  return o;
}

bool write_json(const std::string &path, const std::vector<Result> &results,
                const Params &p, int warmup, int repeat) {
  FILE *f = std::fopen(path.c_str(), "w");
  if (f == nullptr)
    return false;
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  uint32_t def_workers = 0;
  (void)boc_default_worker_count(&def_workers);

  std::fprintf(f, "{\n  \"schema\": \"libboc-bench/1\",\n");
  std::fprintf(f, "  \"libboc_version\": \"%s\",\n",
               json_escape(boc_version()).c_str());
  std::fprintf(f, "  \"date\": \"%s\",\n  \"host\": \"%s\",\n", date,
               json_escape(host).c_str());
  std::fprintf(f, "  \"compiler\": \"%s\",\n", json_escape(__VERSION__).c_str());
  std::fprintf(f, "  \"loadavg_before\": %.2f,\n", g_load_before);
  std::fprintf(f,
               "  \"hardware_threads\": %u,\n  \"default_workers\": %u,\n",
               std::thread::hardware_concurrency(), (unsigned)def_workers);
  std::fprintf(f,
               "  \"method\": \"wall clock (steady_clock) per run; %d warm-up "
               "runs discarded; median of %d runs\",\n",
               warmup, repeat);
  std::fprintf(f,
               "  \"params\": {\"scale\": %g, \"seed\": %" PRIu64
               ", \"repeat\": %d, \"warmup\": %d, \"fanout_k\": %" PRIu64
               ", \"work\": %" PRIu64 "},\n",
               p.scale, p.seed, repeat, warmup, p.fanout, g_work);
  std::fprintf(f, "  \"results\": [");
  for (size_t i = 0; i < results.size(); i++) {
    const Result &r = results[i];
    std::fprintf(f, "%s\n    {\"workload\": \"%s\", \"impl\": \"%s\", "
                    "\"workers\": %u, \"ops\": %" PRIu64 ", \"unit\": \"%s\",\n",
                 i ? "," : "", r.w->name, r.w->impl, r.workers, r.ops,
                 r.w->unit);
    std::fprintf(f, "     \"times_s\": [");
    for (size_t j = 0; j < r.times.size(); j++)
      std::fprintf(f, "%s%.6f", j ? ", " : "", r.times[j]);
    std::fprintf(f, "],\n     \"median_s\": %.6f, \"min_s\": %.6f, "
                    "\"max_s\": %.6f,\n",
                 r.median, r.min, r.max);
    std::fprintf(f, "     \"ops_per_s_median\": %.1f, \"ops_per_s_min\": %.1f, "
                    "\"ops_per_s_max\": %.1f",
                 r.ops / r.median, r.ops / r.max, r.ops / r.min);
    if (r.sched.valid) {
      std::fprintf(f, ",\n     \"scheduler\": {\"parked\": %" PRIu64
                      ", \"popped_via_steal\": %" PRIu64
                      ", \"steal_attempts\": %" PRIu64
                      ", \"fairness_arm_fires\": %" PRIu64
                      ", \"idle_cpu_ratio\": %.3f, \"ran_per_worker\": [",
                   r.sched.parked, r.sched.steals, r.sched.steal_attempts,
                   r.sched.fairness, r.sched.idle_cpu);
      for (size_t j = 0; j < r.sched.ran.size(); j++)
        std::fprintf(f, "%s%" PRIu64, j ? ", " : "", r.sched.ran[j]);
      std::fprintf(f, "]}");
    }
    std::fprintf(f, "}");
  }
  std::fprintf(f, "\n  ]\n}\n");
  return std::fclose(f) == 0;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

void usage(FILE *to) {
  std::fprintf(
      to,
      "usage: boc_bench [options]\n"
      "  --workloads LIST  comma-separated, or 'all' (default):\n"
      "                    chain,spread,fanout,bank,bank_mutex,bank_global,"
      "dining\n"
      "  --workers LIST    worker counts, comma-separated (default 1,2)\n"
      "  --repeat R        measured runs per point (default 5)\n"
      "  --warmup W        unmeasured runs before them (default 1)\n"
      "  --scale F         multiply every workload's size by F (default 1)\n"
      "  --seed S          seed for the bank transfers (default 42)\n"
      "  --fanout K        children per fanout round (default 100)\n"
      "  --work N          extra loop rounds in every body (default 0)\n"
      "  --json PATH       write JSON results here (default "
      "bench/results.json\n"
      "                    if ./bench exists, else results.json)\n"
      "  --no-json         do not write JSON\n"
      "  --verbose         print every run on stderr, and scheduler stats\n"
      "  --list            list the workloads and exit\n");
}

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos)
      comma = s.size();
    if (comma > pos)
      out.push_back(s.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

[[noreturn]] void bad_option(const char *what, const char *value) {
  std::fprintf(stderr, "boc_bench: bad value for %s: %s\n", what,
               value ? value : "(missing)");
  usage(stderr);
  std::exit(2);
}

uint64_t parse_u64(const char *what, const char *v, uint64_t lo, uint64_t hi) {
  if (v == nullptr || *v == '\0' || *v == '-')
    bad_option(what, v);
  char *end;
  unsigned long long x = std::strtoull(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi)
    bad_option(what, v);
  return x;
}

} // namespace

int main(int argc, char **argv) {
  Params p;
  std::vector<std::string> names;
  std::vector<unsigned> worker_counts = {1, 2};
  int repeat = 5, warmup = 1;
  bool verbose = false, json = true;
  std::string json_path;

  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--workloads") {
      if (!v)
        bad_option("--workloads", v);
      names = split(v), i++;
    } else if (a == "--workers") {
      if (!v)
        bad_option("--workers", v);
      worker_counts.clear();
      for (const std::string &s : split(v))
        worker_counts.push_back(
            (unsigned)parse_u64("--workers", s.c_str(), 1, BOC_MAX_WORKERS));
      if (worker_counts.empty())
        bad_option("--workers", v);
      i++;
    } else if (a == "--repeat") {
      repeat = (int)parse_u64("--repeat", v, 1, 1000), i++;
    } else if (a == "--warmup") {
      warmup = (int)parse_u64("--warmup", v, 0, 1000), i++;
    } else if (a == "--scale") {
      char *end;
      if (!v)
        bad_option("--scale", v);
      p.scale = std::strtod(v, &end);
      if (*end != '\0' || !(p.scale > 0) || p.scale > 1e4)
        bad_option("--scale", v);
      i++;
    } else if (a == "--seed") {
      p.seed = parse_u64("--seed", v, 0, UINT64_MAX), i++;
    } else if (a == "--fanout") {
      p.fanout = parse_u64("--fanout", v, 1, BOC_WHEN_MAX_COWNS - 1), i++;
    } else if (a == "--work") {
      g_work = parse_u64("--work", v, 0, 100000000), i++;
    } else if (a == "--json") {
      if (!v)
        bad_option("--json", v);
      json_path = v, i++;
    } else if (a == "--no-json") {
      json = false;
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a == "--list") {
      for (const Workload &w : all_workloads())
        std::printf("%s\n", w.name);
      return 0;
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "boc_bench: unknown option: %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }

  std::vector<const Workload *> selected;
  if (names.empty() || (names.size() == 1 && names[0] == "all")) {
    for (const Workload &w : all_workloads())
      selected.push_back(&w);
  } else {
    for (const std::string &n : names) {
      const Workload *found = nullptr;
      for (const Workload &w : all_workloads())
        if (n == w.name)
          found = &w;
      if (!found) {
        std::fprintf(stderr, "boc_bench: unknown workload: %s\n", n.c_str());
        return 2;
      }
      selected.push_back(found);
    }
  }
  if (json && json_path.empty())
    json_path = access("bench", W_OK) == 0 ? "bench/results.json"
                                           : "results.json";

  uint32_t def_workers = 0;
  (void)boc_default_worker_count(&def_workers);
  std::printf("libboc %s native behavior benchmarks: %d warm-up + %d runs "
              "per point, median wall time (steady_clock)\n",
              boc_version(), warmup, repeat);
  std::printf("hardware threads %u, default workers %u, scale %g, seed %" PRIu64
              ", fanout K %" PRIu64 ", work %" PRIu64 "\n\n",
              std::thread::hardware_concurrency(), (unsigned)def_workers,
              p.scale, p.seed, p.fanout, g_work);
  double load_before[1] = {-1};
  if (getloadavg(load_before, 1) == 1 && load_before[0] > 0.5)
    std::printf("note: load average %.2f before the run: other processes "
                "compete for the CPUs, expect noisy figures\n\n",
                load_before[0]);
  print_header(repeat);

  std::vector<Result> results;
  for (const Workload *w : selected) {
    for (unsigned workers : worker_counts) {
      Result r = measure(*w, p, workers, warmup, repeat, verbose);
      print_row(r);
      if (verbose && r.sched.valid) {
        std::fprintf(stderr,
                     "  scheduler: parked %" PRIu64 ", stolen %" PRIu64
                     " of %" PRIu64 " attempts, fairness %" PRIu64
                     ", idle CPU %.2f, ran per worker:",
                     r.sched.parked, r.sched.steals, r.sched.steal_attempts,
                     r.sched.fairness, r.sched.idle_cpu);
        for (uint64_t n : r.sched.ran)
          std::fprintf(stderr, " %" PRIu64, n);
        std::fprintf(stderr, "\n");
      }
      if (r.sched.valid && r.sched.idle_cpu > 0.5)
        std::fprintf(stderr,
                     "boc_bench: warning: %s, %u workers: an idle runtime "
                     "used %.2f CPU s per s (workers do not park?)\n",
                     w->name, workers, r.sched.idle_cpu);
      results.push_back(r);
    }
  }

  /* Speed-up from the smallest to the largest worker count. */
  if (worker_counts.size() > 1) {
    unsigned lo = *std::min_element(worker_counts.begin(), worker_counts.end());
    unsigned hi = *std::max_element(worker_counts.begin(), worker_counts.end());
    std::printf("\nspeed-up of the median rate, %u -> %u workers:\n", lo, hi);
    for (const Workload *w : selected) {
      const Result *a = nullptr, *b = nullptr;
      for (const Result &r : results)
        if (r.w == w && r.workers == lo)
          a = &r;
        else if (r.w == w && r.workers == hi)
          b = &r;
      if (a && b)
        std::printf("  %-12s %-14s x%.2f\n", w->name, w->impl,
                    a->median / b->median);
    }
  }

  if (json) {
    g_load_before = load_before[0];
    if (!write_json(json_path, results, p, warmup, repeat)) {
      std::fprintf(stderr, "boc_bench: cannot write %s: %s\n",
                   json_path.c_str(), std::strerror(errno));
      return 1;
    }
    std::printf("\nJSON results written to %s\n", json_path.c_str());
  }
  return 0;
}
