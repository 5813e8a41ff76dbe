/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "msg/queue.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "boc/msg.h"
#include "pal/clock.h"
#include "pal/spin.h"

namespace boc::detail {

namespace {

/* ---- waiters -------------------------------------------------------------- */

/* One per blocked receive, on its stack. */
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  /* Guarded by mu.  Set by a sender (or a leaving receiver, the baton)
   * that chose this receiver for a message; cleared by the receiver before
   * it rescans its tags. */
  bool signaled = false;
};

struct Tag;

/* A receiver's registration on one tag: one Link per entry of its tag
 * array (duplicates get one each).  prev/next/linked are guarded by the
 * tag's mutex. */
struct Link {
  Tag *tag = nullptr;
  Waiter *waiter = nullptr;
  Link *prev = nullptr;
  Link *next = nullptr;
  bool linked = false;
};

/* ---- tags ------------------------------------------------------------------- */

struct Tag {
  uint32_t id = 0;
  uint64_t hash = 0;
  std::string name; /* never changes; the bytes live as long as the process */

  std::mutex mu;
  std::deque<Blob *> queue; /* guarded by mu; oldest at the front */
  Link *head = nullptr;     /* parked receivers, oldest first; guarded by mu */
  Link *tail = nullptr;
  /* queue.size(), written under mu.  Read without the lock as a hint (the
   * receive spin, which confirms under the lock) and by
   * boc_msg_pending(); relaxed, since it orders nothing else. */
  std::atomic<size_t> count{0};
};

/* Twice the most tags there can be, a power of two: the open-addressing
 * name table is never more than half full, so probes stay short and always
 * end at an empty slot. */
constexpr size_t NAME_SLOTS = 8192;
static_assert(NAME_SLOTS >= 2 * BOC_MSG_MAX_TAGS, "name table too small");
static_assert((NAME_SLOTS & (NAME_SLOTS - 1)) == 0, "name table size not a power of two");

struct Registry {
  std::mutex intern_mu; /* serialises interning; lookups take no lock */
  std::atomic<uint32_t> ntags{0};
  /* Written once per tag under intern_mu with release stores, read with
   * acquire loads (pairs with them): a reader that finds a Tag sees it
   * fully built.  Index 0 is never used. */
  std::atomic<Tag *> by_id[BOC_MSG_MAX_TAGS + 1];
  std::atomic<Tag *> by_name[NAME_SLOTS];

  /* Bytes queued on all tags (blob size + BOC_MSG_OVERHEAD per message).
   * Reserved by CAS before a message is queued and given back when it
   * leaves; relaxed: it is a counter that orders nothing. */
  std::atomic<size_t> bytes{0};

  std::mutex limits_mu; /* keeps get/set of the pair consistent */
  std::atomic<size_t> max_per_tag{size_t(1) << 20};
  std::atomic<size_t> max_bytes{size_t(1) << 30};

  Registry() {
    for (auto &slot : by_id) slot.store(nullptr, std::memory_order_relaxed);
    for (auto &slot : by_name) slot.store(nullptr, std::memory_order_relaxed);
  }
};

/* Never destroyed: messages may be sent and blobs released during exit,
 * after static destructors have run. */
Registry &registry() {
  static Registry *r = new Registry;
  return *r;
}

uint64_t hash_name(const char *name, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
  for (size_t i = 0; i < len; i++) {
    h ^= static_cast<unsigned char>(name[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

Tag *tag_by_id(uint32_t id) {
  if (id == 0 || id > BOC_MSG_MAX_TAGS) return nullptr;
  return registry().by_id[id].load(std::memory_order_acquire);
}

/* Probe the name table.  Returns the tag, or null with *slot_out (if not
 * null) the empty slot where the probe stopped. */
Tag *find_name(Registry &r, const char *name, size_t len, uint64_t h, size_t *slot_out) {
  for (size_t i = h & (NAME_SLOTS - 1);; i = (i + 1) & (NAME_SLOTS - 1)) {
    Tag *t = r.by_name[i].load(std::memory_order_acquire);
    if (t == nullptr) {
      if (slot_out != nullptr) *slot_out = i;
      return nullptr;
    }
    if (t->hash == h && t->name.size() == len &&
        (len == 0 || std::memcmp(t->name.data(), name, len) == 0))
      return t;
  }
}

/* ---- byte budget ------------------------------------------------------------------ */

size_t message_cost(const Blob *b) { return b->size + BOC_MSG_OVERHEAD; }

bool reserve_bytes(Registry &r, size_t cost) {
  size_t max = r.max_bytes.load(std::memory_order_relaxed);
  size_t cur = r.bytes.load(std::memory_order_relaxed);
  do {
    if (cost > max || cur > max - cost) return false;
  } while (!r.bytes.compare_exchange_weak(cur, cur + cost, std::memory_order_relaxed));
  return true;
}

void unreserve_bytes(Registry &r, size_t cost) {
  r.bytes.fetch_sub(cost, std::memory_order_relaxed);
}

/* ---- queue operations (callers hold t->mu) ------------------------------------ */

Blob *pop_locked(Registry &r, Tag *t) {
  Blob *b = t->queue.front();
  t->queue.pop_front();
  t->count.store(t->queue.size(), std::memory_order_relaxed);
  unreserve_bytes(r, message_cost(b));
  return b;
}

void link_locked(Tag *t, Link *l) {
  l->prev = t->tail;
  l->next = nullptr;
  if (t->tail != nullptr)
    t->tail->next = l;
  else
    t->head = l;
  t->tail = l;
  l->linked = true;
}

void unlink_locked(Tag *t, Link *l) {
  if (l->prev != nullptr)
    l->prev->next = l->next;
  else
    t->head = l->next;
  if (l->next != nullptr)
    l->next->prev = l->prev;
  else
    t->tail = l->prev;
  l->prev = l->next = nullptr;
  l->linked = false;
}

/* Wake the oldest parked receiver of t that is not signaled yet (and is
 * not `skip`).  Called with t->mu held, which keeps every registered
 * Waiter alive until after notify_one (a receiver must take t->mu to
 * unlink before it returns). */
void signal_one_locked(Tag *t, const Waiter *skip) {
  for (Link *l = t->head; l != nullptr; l = l->next) {
    Waiter *w = l->waiter;
    if (w == skip) continue;
    std::unique_lock<std::mutex> lk(w->mu);
    if (w->signaled) continue;
    w->signaled = true;
    lk.unlock();
    w->cv.notify_one();
    return;
  }
}

/* Empty t in batches, releasing the blobs with no lock held (a release may
 * free cowns whose payload free functions run arbitrary code, including
 * libboc calls).  Stops after the messages that were queued when it
 * started, so a steady stream of sends cannot keep it busy.  Never
 * allocates, so it cannot fail. */
size_t drain_tag(Registry &r, Tag *t) {
  constexpr size_t BATCH = 64;
  Blob *batch[BATCH];
  size_t dropped = 0;
  size_t budget = SIZE_MAX;
  for (;;) {
    size_t n = 0;
    {
      std::lock_guard<std::mutex> lk(t->mu);
      if (budget == SIZE_MAX) budget = t->queue.size();
      while (n < BATCH && n < budget && !t->queue.empty()) batch[n++] = pop_locked(r, t);
    }
    for (size_t i = 0; i < n; i++) blob_release(batch[i]);
    dropped += n;
    budget -= n;
    if (n < BATCH || budget == 0) return dropped;
  }
}

/* ---- receiving -------------------------------------------------------------------- */

/* How long a receiver spins on its tags' counts before it parks: long
 * enough for a reply that is a few microseconds of work away (a binding
 * answering through its interpreter lock, say) to be caught without a
 * park and a wake-up, which cost tens of microseconds each on a VM.  After
 * its first rounds SpinWait yields the CPU instead of burning it. */
constexpr int SPIN_ROUNDS = 1 << 20;
constexpr uint64_t SPIN_NS = 60000;

/* Try each tag once, starting at links[start % n].  With `peek`, tags
 * whose count is 0 are skipped without taking their lock (a hint only:
 * the parking scan always takes the lock). */
bool try_take(Registry &r, Link *links, size_t n, size_t start, bool peek, Blob **out,
              Tag **from) {
  for (size_t k = 0; k < n; k++) {
    Tag *t = links[(start + k) % n].tag;
    if (peek && t->count.load(std::memory_order_relaxed) == 0) continue;
    std::lock_guard<std::mutex> lk(t->mu);
    if (!t->queue.empty()) {
      *out = pop_locked(r, t);
      *from = t;
      return true;
    }
  }
  return false;
}

/* A receiver's registrations, removed when it leaves (however it leaves).
 * Leaving a tag that still has messages passes the wake-up on to the next
 * parked receiver there: this receiver may have been chosen for one of
 * those messages and taken another. */
class Parking {
 public:
  Parking(Link *links, size_t n, Waiter *w) : links_(links), n_(n), w_(w) {}
  Parking(const Parking &) = delete;
  Parking &operator=(const Parking &) = delete;

  ~Parking() {
    for (size_t i = 0; i < n_; i++) {
      Link *l = &links_[i];
      if (!l->linked) continue; /* only ever changed by this thread */
      Tag *t = l->tag;
      std::lock_guard<std::mutex> lk(t->mu);
      unlink_locked(t, l);
      if (!t->queue.empty()) signal_one_locked(t, w_);
    }
  }

 private:
  Link *links_;
  size_t n_;
  Waiter *w_;
};

/* Receives on up to this many tags need no allocation (a Link is 40
 * bytes, so this is about 1.3 KiB of stack). */
constexpr size_t SMALL_LINKS = 32;

thread_local size_t rotor; /* start index of this thread's next scan */

}  // namespace

/* ---- the interface ---------------------------------------------------------------- */

int msg_tag(const char *name, size_t len, uint32_t *id) {
  Registry &r = registry();
  uint64_t h = hash_name(name, len);
  if (Tag *t = find_name(r, name, len, h, nullptr)) {
    *id = t->id;
    return BOC_OK;
  }
  std::lock_guard<std::mutex> lk(r.intern_mu);
  size_t slot = 0;
  if (Tag *t = find_name(r, name, len, h, &slot)) { /* interned meanwhile */
    *id = t->id;
    return BOC_OK;
  }
  uint32_t n = r.ntags.load(std::memory_order_relaxed);
  if (n >= BOC_MSG_MAX_TAGS) return BOC_EFULL;
  auto t = std::make_unique<Tag>();
  t->id = n + 1;
  t->hash = h;
  if (len > 0) t->name.assign(name, len);
  /* Publish: by id first, so an id learned from the name is usable. */
  r.by_id[t->id].store(t.get(), std::memory_order_release);
  r.by_name[slot].store(t.get(), std::memory_order_release);
  r.ntags.store(t->id, std::memory_order_release);
  *id = t->id;
  t.release(); /* lives for the rest of the process */
  return BOC_OK;
}

int msg_tag_name(uint32_t id, const char **name, size_t *len) {
  Tag *t = tag_by_id(id);
  if (t == nullptr) return BOC_ENOENT;
  *name = t->name.data();
  *len = t->name.size();
  return BOC_OK;
}

int msg_send(uint32_t tag, Blob *b) {
  Tag *t = tag_by_id(tag);
  if (t == nullptr) return BOC_ENOENT;
  Registry &r = registry();
  size_t cost = message_cost(b);
  std::lock_guard<std::mutex> lk(t->mu);
  if (t->queue.size() >= r.max_per_tag.load(std::memory_order_relaxed)) return BOC_EFULL;
  if (!reserve_bytes(r, cost)) return BOC_EFULL;
  try {
    t->queue.push_back(b);
  } catch (...) {
    unreserve_bytes(r, cost);
    throw;
  }
  t->count.store(t->queue.size(), std::memory_order_relaxed);
  if (t->head != nullptr) signal_one_locked(t, nullptr);
  return BOC_OK;
}

int msg_receive(const uint32_t *tags, size_t n, int64_t timeout_ns, uint32_t *tag_out,
                Blob **out) {
  Registry &r = registry();
  pal::Deadline deadline = pal::Deadline::after(timeout_ns);
  Link small[SMALL_LINKS];
  std::unique_ptr<Link[]> big;
  Link *links = small;
  if (n > SMALL_LINKS) {
    big.reset(new Link[n]);
    links = big.get();
  }
  for (size_t i = 0; i < n; i++) {
    links[i].tag = tag_by_id(tags[i]);
    if (links[i].tag == nullptr) return BOC_ENOENT;
  }

  /* Rotating the first tag looked at keeps a busy tag from starving the
   * others when the receiver is always behind. */
  size_t start = rotor++;
  Blob *b = nullptr;
  Tag *from = nullptr;
  bool got = try_take(r, links, n, start, false, &b, &from);

  if (!got && timeout_ns != 0) {
    /* A short spin first: a message that is microseconds away is cheaper
     * to wait for than a park and a wake-up. */
    pal::SpinWait spin;
    uint64_t spin_end = pal::now_ns() + SPIN_NS;
    for (int i = 0; i < SPIN_ROUNDS && !got; i++) {
      spin.once();
      got = try_take(r, links, n, ++start, true, &b, &from);
      if (deadline.passed() || pal::now_ns() > spin_end) break;
    }

    if (!got) {
      Waiter w;
      for (size_t i = 0; i < n; i++) links[i].waiter = &w;
      Parking parking(links, n, &w);
      bool timed_out = false;
      for (;;) {
        /* Register and check under each tag's lock (the sender pushes and
         * signals under the same lock, so a message cannot slip by). */
        for (size_t k = 0; k < n && !got; k++) {
          Link *l = &links[(start + k) % n];
          Tag *t = l->tag;
          std::lock_guard<std::mutex> lk(t->mu);
          if (!t->queue.empty()) {
            b = pop_locked(r, t);
            from = t;
            got = true;
          } else if (!l->linked) {
            link_locked(t, l);
          }
        }
        if (got || timed_out) break;
        std::unique_lock<std::mutex> lk(w.mu);
        auto signaled = [&w] { return w.signaled; };
        if (deadline.forever)
          w.cv.wait(lk, signaled);
        else if (!w.cv.wait_until(lk, deadline.when, signaled))
          timed_out = true; /* one last scan, then give up */
        w.signaled = false;
        start++;
      }
    }  // ~Parking: unregister, pass the wake-up on
  }

  if (!got) return BOC_ETIMEDOUT;
  if (tag_out != nullptr) *tag_out = from->id;
  *out = b;
  return BOC_OK;
}

int msg_drain(const uint32_t *tags, size_t n, size_t *dropped) {
  for (size_t i = 0; i < n; i++)
    if (tag_by_id(tags[i]) == nullptr) return BOC_ENOENT;
  Registry &r = registry();
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += drain_tag(r, tag_by_id(tags[i]));
  *dropped = total;
  return BOC_OK;
}

size_t msg_clear() {
  Registry &r = registry();
  uint32_t n = r.ntags.load(std::memory_order_acquire);
  size_t total = 0;
  for (uint32_t id = 1; id <= n; id++) total += drain_tag(r, tag_by_id(id));
  return total;
}

int msg_pending(uint32_t tag, size_t *count) {
  Tag *t = tag_by_id(tag);
  if (t == nullptr) return BOC_ENOENT;
  *count = t->count.load(std::memory_order_relaxed);
  return BOC_OK;
}

void msg_get_limits(size_t *per_tag, size_t *bytes) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lk(r.limits_mu);
  *per_tag = r.max_per_tag.load(std::memory_order_relaxed);
  *bytes = r.max_bytes.load(std::memory_order_relaxed);
}

void msg_set_limits(size_t per_tag, size_t bytes) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lk(r.limits_mu);
  r.max_per_tag.store(per_tag, std::memory_order_relaxed);
  r.max_bytes.store(bytes, std::memory_order_relaxed);
}

}  // namespace boc::detail
